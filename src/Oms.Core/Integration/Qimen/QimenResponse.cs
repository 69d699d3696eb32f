using System.Xml.Linq;
using static Oms.Integration.Qimen.QimenXml;

namespace Oms.Integration.Qimen;

/// <summary>
/// The reply of every Qimen call, both ways: <c>&lt;response&gt;&lt;flag&gt;success|failure&lt;/flag&gt;&lt;code/&gt;&lt;message/&gt;…&lt;/response&gt;</c>.
/// <see cref="Fields"/> holds other simple children (<c>deliveryOrderId</c>, <c>createTime</c>, …), <see cref="Extra"/>
/// the structured ones (a query's <c>deliveryOrder</c>, <c>packages</c>, …). A client-side transport problem is a
/// failure with code <see cref="HttpCode"/>, <see cref="TimeoutCode"/> or <see cref="AnswerCode"/> (an unreadable answer).
/// </summary>
public sealed record QimenResponse(string Flag, string Code, string Message)
{
    public const string SuccessFlag = "success";
    public const string FailureFlag = "failure";
    public const string HttpCode = "http";
    public const string TimeoutCode = "timeout";
    public const string AnswerCode = "answer";

    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public IReadOnlyList<XElement> Extra { get; init; } = [];

    public bool IsSuccess => Flag == SuccessFlag;

    public static QimenResponse Success(string message = "", string code = "0", IEnumerable<KeyValuePair<string, string>>? fields = null) =>
        new(SuccessFlag, code, message) { Fields = ToMap(fields) };

    public static QimenResponse Failure(string code, string message) => new(FailureFlag, code, message);

    public string ToXml() => ToText(new XElement("response",
        new XElement("flag", Flag), new XElement("code", Code), new XElement("message", Message),
        Fields.Select(f => new XElement(f.Key, f.Value)), Extra.Select(e => new XElement(e))));

    /// <summary>Reads a reply; <see cref="QimenXmlException"/> when it is not one (no <c>flag</c> of success/failure).</summary>
    public static QimenResponse Parse(string? xml)
    {
        var r = ParseRoot(xml, "response");
        var flag = Required(r, "flag", "response");
        if (flag != SuccessFlag && flag != FailureFlag)
            throw new QimenXmlException($"response/flag '{flag}' is neither success nor failure", "response/flag");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var extra = new List<XElement>();
        foreach (var e in r.Elements())
        {
            var name = e.Name.LocalName;
            if (name is "flag" or "code" or "message") continue;
            if (e.HasElements) extra.Add(e);
            else fields[name] = e.Value.Trim();
        }
        return new QimenResponse(flag, Text(r, "code") ?? "", Text(r, "message") ?? "") { Fields = fields, Extra = extra };
    }

    private static Dictionary<string, string> ToMap(IEnumerable<KeyValuePair<string, string>>? fields)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields is not null) foreach (var (k, v) in fields) map[k] = v;
        return map;
    }
}
