using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Oms.Common;

namespace Oms.Integration.Qimen;

/// <summary>
/// A Qimen XML body that cannot be read: not XML, the wrong root, a required element missing or a value
/// of the wrong kind. <see cref="Path"/> names the element (<c>request/orderLines/orderLine[2]/planQty</c>).
/// </summary>
public sealed class QimenXmlException : Exception
{
    public QimenXmlException(string message, string path) : base(message) => Path = path;
    public QimenXmlException() : base("invalid Qimen XML") => Path = "";
    public QimenXmlException(string message) : base(message) => Path = "";
    public QimenXmlException(string message, Exception inner) : base(message, inner) => Path = "";

    /// <summary>Where the problem is, e.g. <c>request/deliveryOrder/deliveryOrderCode</c>.</summary>
    public string Path { get; }
}

/// <summary>Reading and writing helpers shared by the Qimen message types.</summary>
public static class QimenXml
{
    public const string ContentType = "text/xml; charset=utf-8";
    private const string Declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

    /// <summary>The document text: the XML declaration, then <paramref name="root"/> without indentation.</summary>
    public static string ToText(XElement root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Declaration + root.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>Parses a body and checks its root element's name; DTDs and external entities are refused.</summary>
    public static XElement ParseRoot(string? xml, string expectedRoot)
    {
        if (string.IsNullOrWhiteSpace(xml)) throw new QimenXmlException($"the body is empty (expected <{expectedRoot}>)", expectedRoot);
        XDocument doc;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true };
            using var text = new StringReader(xml);
            using var reader = XmlReader.Create(text, settings);
            doc = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new QimenXmlException($"the body is not well-formed XML: {e.Message}", expectedRoot);
        }
        var root = doc.Root!;
        if (root.Name.LocalName != expectedRoot)
            throw new QimenXmlException($"the root element is <{root.Name.LocalName}>, expected <{expectedRoot}>", root.Name.LocalName);
        return root;
    }

    internal static XElement? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    internal static IEnumerable<XElement> Children(XElement parent, string name) => parent.Elements().Where(e => e.Name.LocalName == name);

    internal static string? Text(XElement parent, string name)
    {
        var e = Child(parent, name);
        if (e is null || e.HasElements) return null;
        var v = e.Value.Trim();
        return v.Length == 0 ? null : v;
    }

    internal static string Required(XElement parent, string name, string path) =>
        Text(parent, name) ?? throw new QimenXmlException($"{path}/{name} is required", $"{path}/{name}");

    internal static XElement RequiredChild(XElement parent, string name, string path) =>
        Child(parent, name) ?? throw new QimenXmlException($"{path}/{name} is required", $"{path}/{name}");

    internal static int? Int(XElement parent, string name, string path)
    {
        var t = Text(parent, name);
        if (t is null) return null;
        return int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new QimenXmlException($"{path}/{name} '{t}' is not a whole number", $"{path}/{name}");
    }

    internal static int RequiredQuantity(XElement parent, string name, string path)
    {
        var v = Int(parent, name, path) ?? throw new QimenXmlException($"{path}/{name} is required", $"{path}/{name}");
        return v >= 0 ? v : throw new QimenXmlException($"{path}/{name} '{v}' must not be negative", $"{path}/{name}");
    }

    internal static decimal? Decimal(XElement parent, string name, string path)
    {
        var t = Text(parent, name);
        if (t is null) return null;
        return decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new QimenXmlException($"{path}/{name} '{t}' is not a number", $"{path}/{name}");
    }

    internal static DateTime? Time(XElement parent, string name, string path)
    {
        var t = Text(parent, name);
        if (t is null) return null;
        return ChinaTime.TryParse(t, out var utc)
            ? utc
            : throw new QimenXmlException($"{path}/{name} '{t}' is not a time (yyyy-MM-dd HH:mm:ss)", $"{path}/{name}");
    }

    internal static string Indexed(string path, string name, int index) =>
        path + "/" + name + "[" + (index + 1).ToString(CultureInfo.InvariantCulture) + "]";

    /// <summary>An element with text, or nothing when the value is null.</summary>
    internal static XElement? E(string name, string? value) => value is null ? null : new XElement(name, value);

    internal static XElement? E(string name, int? value) => value is null ? null : new XElement(name, value.Value.ToString(CultureInfo.InvariantCulture));

    internal static XElement? Money(string name, decimal? value) => value is null ? null : new XElement(name, value.Value.ToString("0.00", CultureInfo.InvariantCulture));

    internal static XElement? Number(string name, decimal? value) =>
        value is null ? null : new XElement(name, value.Value.ToString("0.############################", CultureInfo.InvariantCulture));

    internal static XElement? E(string name, DateTime? utc) => utc is null ? null : new XElement(name, ChinaTime.ToText(utc.Value));
}
