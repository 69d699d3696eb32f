using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Common;
using Oms.Preprocess;
using Oms.Server.Web;

namespace Oms.Server.Pages.Preprocess.GiftRules;

/// <summary>CRM 赠品规则: the rules, and the preview of the rules on an order (nothing is changed).</summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class GiftRulesIndexModel(CrmGiftService gifts) : AdminPageModel
{
    public IReadOnlyList<CrmGiftRule> Rules { get; private set; } = [];
    /// <summary>The order_bn or id entered for the preview.</summary>
    public string? Order { get; private set; }
    public GiftPreview? Preview { get; private set; }
    public string? PreviewError { get; private set; }

    public async Task OnGetAsync(string? order, CancellationToken ct)
    {
        Rules = await gifts.ListAsync(ct);
        Order = order?.Trim();
        if (string.IsNullOrEmpty(Order)) return;
        try
        {
            Preview = await gifts.PreviewAsync(Order, ct);
        }
        catch (DomainException e)
        {
            PreviewError = e.Message;
        }
        catch (ValidationException e)
        {
            PreviewError = e.Message;
        }
    }
}
