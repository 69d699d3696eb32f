using System.Globalization;
using Oms.Common;

namespace Oms.Integration;

/// <summary>
/// Typed readers over the form fields of one protocol call (OpenAPI, matrix). An empty string
/// counts as absent (PROTOCOL.md, introduction). Each protocol words a refused field its own way
/// through <see cref="Invalid"/>; the checks themselves are the same everywhere.
/// </summary>
public abstract class FormParameters(IReadOnlyDictionary<string, string> parameters)
{
    /// <summary>Every form field, system parameters included.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; } = parameters;

    /// <summary>The exception refusing <paramref name="field"/>; <paramref name="why"/> does not repeat the field's name.</summary>
    protected abstract Exception Invalid(string field, string why);

    /// <summary>A parameter's trimmed value; an empty string counts as absent.</summary>
    public virtual string? Optional(string name) =>
        Parameters.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    public string Required(string name) => Optional(name) ?? throw Invalid(name, "is required");

    public string? OptionalText(string name, int maxLength)
    {
        var v = Optional(name);
        if (v is not null && v.Length > maxLength) throw Invalid(name, $"is longer than {maxLength} characters");
        return v;
    }

    public string RequiredText(string name, int maxLength) =>
        OptionalText(name, maxLength) ?? throw Invalid(name, "is required");

    public int? OptionalInt(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var v = Optional(name);
        if (v is null) return null;
        if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            throw Invalid(name, $"'{v}' is not a whole number");
        if (n < min || n > max) throw Invalid(name, $"must be between {min} and {max}");
        return n;
    }

    public decimal? OptionalMoney(string name, decimal min = 0)
    {
        var v = Optional(name);
        if (v is null) return null;
        if (!Money.TryParse(v, out var d)) throw Invalid(name, $"'{v}' is not an amount (at most 4 decimals)");
        if (d < min) throw Invalid(name, $"must not be below {Money.ToText(min)}");
        return d;
    }

    /// <summary><c>true</c>/<c>1</c> and <c>false</c>/<c>0</c>, any case.</summary>
    public bool? OptionalBool(string name)
    {
        var v = Optional(name);
        return v?.ToLowerInvariant() switch
        {
            null => null,
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw Invalid(name, $"'{v}' is not true or false"),
        };
    }

    /// <summary>Unix seconds or <c>yyyy-MM-dd HH:mm:ss</c> China time, as UTC.</summary>
    public DateTime? OptionalTime(string name)
    {
        var v = Optional(name);
        if (v is null) return null;
        return ChinaTime.TryParse(v, out var t) ? t : throw Invalid(name, $"'{v}' is not a time (yyyy-MM-dd HH:mm:ss or unix seconds)");
    }

    public DateTime RequiredTime(string name) => OptionalTime(name) ?? throw Invalid(name, "is required");
}
