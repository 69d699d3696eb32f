namespace Oms.Common;

/// <summary>
/// A business rule refused the command. The message is written for the user who asked
/// (it ends up in an OpenAPI <c>sub_msg</c>, a matrix <c>msg</c> or on an admin page).
/// </summary>
public class DomainException(string message) : Exception(message);

/// <summary>Input was malformed or incomplete. <see cref="Field"/> names the offending field.</summary>
public sealed class ValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>A stock counter would have gone below zero, or a freeze would exceed what is on hand.</summary>
public sealed class InsufficientStockException(string message) : DomainException(message);
