using Oms.Deliveries;

namespace Oms.Server.Pages.Deliveries;

/// <summary>
/// What the delivery rows partial shows: the rows, whether the user may revoke (打回) open ones, where the revoke form posts
/// and which block htmx swaps with the answer.
/// </summary>
public sealed record DeliveryRowsView(IReadOnlyList<DeliveryRow> Rows, bool CanRevoke, string? RevokeUrl, string Target);
