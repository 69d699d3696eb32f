namespace Oms.Regions;

/// <summary>
/// The 34 provincial-level divisions of China, with the short names platforms and
/// warehouses also use ("浙江" for "浙江省", "广西" for "广西壮族自治区").
/// </summary>
public static class ChinaRegions
{
    public sealed record Province(string Code, string Name, string ShortName);

    public static readonly IReadOnlyList<Province> Provinces =
    [
        new("110000", "北京市", "北京"), new("120000", "天津市", "天津"), new("130000", "河北省", "河北"),
        new("140000", "山西省", "山西"), new("150000", "内蒙古自治区", "内蒙古"), new("210000", "辽宁省", "辽宁"),
        new("220000", "吉林省", "吉林"), new("230000", "黑龙江省", "黑龙江"), new("310000", "上海市", "上海"),
        new("320000", "江苏省", "江苏"), new("330000", "浙江省", "浙江"), new("340000", "安徽省", "安徽"),
        new("350000", "福建省", "福建"), new("360000", "江西省", "江西"), new("370000", "山东省", "山东"),
        new("410000", "河南省", "河南"), new("420000", "湖北省", "湖北"), new("430000", "湖南省", "湖南"),
        new("440000", "广东省", "广东"), new("450000", "广西壮族自治区", "广西"), new("460000", "海南省", "海南"),
        new("500000", "重庆市", "重庆"), new("510000", "四川省", "四川"), new("520000", "贵州省", "贵州"),
        new("530000", "云南省", "云南"), new("540000", "西藏自治区", "西藏"), new("610000", "陕西省", "陕西"),
        new("620000", "甘肃省", "甘肃"), new("630000", "青海省", "青海"), new("640000", "宁夏回族自治区", "宁夏"),
        new("650000", "新疆维吾尔自治区", "新疆"), new("710000", "台湾省", "台湾"), new("810000", "香港特别行政区", "香港"),
        new("820000", "澳门特别行政区", "澳门"),
    ];

    /// <summary>Finds a province by its full name, short name or code.</summary>
    public static Province? Find(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim();
        foreach (var p in Provinces)
            if (p.Name == t || p.ShortName == t || p.Code == t) return p;
        return null;
    }

    /// <summary>The full province name for any accepted spelling, or null when it is no province.</summary>
    public static string? Normalize(string? text) => Find(text)?.Name;

    public static bool SameProvince(string a, string b)
    {
        var pa = Find(a);
        return pa is not null && pa == Find(b);
    }
}
