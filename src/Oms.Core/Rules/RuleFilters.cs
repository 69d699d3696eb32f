using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Oms.Channels;
using Oms.Common;
using Oms.Regions;

namespace Oms.Rules;

/// <summary>A condition as stored: its filter type and its parameters as JSON (see <see cref="RuleFilter.Parse"/>).</summary>
public sealed record StoredCondition(string Type, string Parameters);

/// <summary>
/// What the condition editor posts: the type and the fields a type may use. <see cref="Values"/> is a list separated
/// by commas, spaces or new lines (provinces and 省/市 pairs, platform codes, shop ids, codes, keywords);
/// <see cref="Min"/>/<see cref="Max"/> a range; <see cref="From"/>/<see cref="To"/> China time; <see cref="Yes"/> COD or not.
/// </summary>
public sealed record RuleConditionForm(string? Type, string? Values = null, string? Min = null, string? Max = null,
    string? From = null, string? To = null, bool Yes = false);

/// <summary>Names used when a condition renders itself (shop ids → shop names).</summary>
public sealed record RuleTextContext(IReadOnlyDictionary<long, string> ShopNames)
{
    public static readonly RuleTextContext Empty = new(new Dictionary<long, string>());
    public string Shop(long id) => ShopNames.TryGetValue(id, out var n) ? n : $"店铺#{id}";
}

/// <summary>
/// 规则筛选器 — one condition of an order group or a branch rule (DOMAIN.md §3.4). Each type checks its parameters
/// (a <see cref="DomainException"/> in Chinese naming what is wrong), renders itself as readable Chinese text and
/// matches an order's <see cref="OrderFacts"/>. Instances are immutable and valid by construction.
/// </summary>
public abstract record RuleFilter
{
    public const string Address = "address";
    public const string Platform = "platform";
    public const string Shop = "shop";
    public const string Cod = "cod";
    public const string Money = "money";
    public const string Sku = "sku";
    public const string SkuNum = "skunum";
    public const string ItemNum = "itemnum";
    public const string Weight = "weight";
    public const string Memo = "memo";

    /// <summary>The types, in the order the editor offers them, with their Chinese names.</summary>
    public static readonly IReadOnlyList<(string Type, string Name)> Types =
    [
        (Address, "收货地区"), (Platform, "来源平台"), (Shop, "来源店铺"), (Cod, "货到付款"), (Money, "订单金额"),
        (Sku, "活动订单（指定商品与下单时间）"), (SkuNum, "商品种类数"), (ItemNum, "商品总数量"), (Weight, "订单重量"), (Memo, "留言/备注关键字"),
    ];

    public static string TypeName(string type) => Types.FirstOrDefault(t => t.Type == type).Name ?? type;

    /// <summary>The type key stored with the condition.</summary>
    public abstract string Type { get; }

    /// <summary>True when the order meets this condition.</summary>
    public abstract bool Matches(OrderFacts order);

    /// <summary>Readable Chinese text, e.g. <c>订单金额 ≥ 100 且 ≤ 500 元</c>.</summary>
    public abstract string Describe(RuleTextContext names);

    /// <summary>The parameters as stored (JSON).</summary>
    public abstract JsonObject ToJson();

    /// <summary>The editor's fields for this condition (inverse of <see cref="FromForm"/>).</summary>
    public abstract RuleConditionForm ToForm();

    public StoredCondition ToStored() => new(Type, ToJson().ToJsonString());

    /// <summary>A stored condition read back (checked again: a stored one that became invalid is refused).</summary>
    public static RuleFilter Parse(StoredCondition stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        JsonObject json;
        try { json = JsonNode.Parse(stored.Parameters) as JsonObject ?? throw new DomainException($"条件“{TypeName(stored.Type)}”的参数不是 JSON 对象"); }
        catch (JsonException) { throw new DomainException($"条件“{TypeName(stored.Type)}”的参数不是有效的 JSON"); }
        try
        {
            return Read(stored.Type, json);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new DomainException($"条件“{TypeName(stored.Type)}”的参数格式不对");
        }
    }

    private static RuleFilter Read(string type, JsonObject json) =>
        type switch
        {
            Address => AddressFilter.Create(Strings(json, "provinces"), Strings(json, "cities")),
            Platform => PlatformFilter.Create(Strings(json, "shop_types")),
            Shop => ShopFilter.Create(Longs(json, "shop_ids")),
            Cod => new CodFilter(json["cod"]?.GetValue<bool>() ?? throw new DomainException("条件“货到付款”缺少参数 cod")),
            Money => MoneyFilter.Create(Dec(json, "min"), Dec(json, "max")),
            Sku => SkuFilter.Create(Strings(json, "codes"), Str(json, "from"), Str(json, "to")),
            SkuNum => CountFilter.Create(SkuNum, Int(json, "min"), Int(json, "max")),
            ItemNum => CountFilter.Create(ItemNum, Int(json, "min"), Int(json, "max")),
            Weight => WeightFilter.Create(Dec(json, "min"), Dec(json, "max")),
            Memo => MemoFilter.Create(Strings(json, "keywords")),
            _ => throw new DomainException($"未知的筛选条件类型“{type}”"),
        };

    /// <summary>A condition from the editor's fields, checked.</summary>
    public static RuleFilter FromForm(RuleConditionForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var type = form.Type?.Trim() ?? "";
        var values = SplitList(form.Values);
        return type switch
        {
            Address => AddressFilter.Create(values.Where(v => !v.Contains('/', StringComparison.Ordinal)).ToList(),
                values.Where(v => v.Contains('/', StringComparison.Ordinal)).ToList()),
            Platform => PlatformFilter.Create(values),
            Shop => ShopFilter.Create(values.Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
                : throw new DomainException($"店铺“{v}”不是有效的店铺编号")).ToList()),
            Cod => new CodFilter(form.Yes),
            Money => MoneyFilter.Create(ParseDec(form.Min, "最小金额"), ParseDec(form.Max, "最大金额")),
            Sku => SkuFilter.Create(values, form.From, form.To),
            SkuNum => CountFilter.Create(SkuNum, ParseInt(form.Min, "最少种类数"), ParseInt(form.Max, "最多种类数")),
            ItemNum => CountFilter.Create(ItemNum, ParseInt(form.Min, "最少数量"), ParseInt(form.Max, "最多数量")),
            Weight => WeightFilter.Create(ParseDec(form.Min, "最小重量"), ParseDec(form.Max, "最大重量")),
            Memo => MemoFilter.Create(values),
            "" => throw new DomainException("请选择筛选条件类型"),
            _ => throw new DomainException($"未知的筛选条件类型“{type}”"),
        };
    }

    /// <summary>Splits a list typed by a user on commas (also full-width), semicolons, spaces and new lines.</summary>
    public static List<string> SplitList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] :
        text.Split([',', '，', ';', '；', ' ', '\u3000', '\n', '\r', '\t', '、'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToList();

    private static decimal? ParseDec(string? text, string what)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return decimal.TryParse(text.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v
            : throw new DomainException($"{what}“{text.Trim()}”不是有效的数字");
    }

    private static int? ParseInt(string? text, string what)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new DomainException($"{what}“{text.Trim()}”不是有效的整数");
    }

    private static List<string> Strings(JsonObject j, string key) =>
        j[key] is JsonArray a ? a.Select(n => n?.GetValue<string>() ?? "").ToList() : [];

    private static List<long> Longs(JsonObject j, string key) =>
        j[key] is JsonArray a ? a.Select(n => n?.GetValue<long>() ?? 0).ToList() : [];

    private static string? Str(JsonObject j, string key) => j[key]?.GetValue<string>();
    private static decimal? Dec(JsonObject j, string key) => j[key]?.GetValue<decimal>();
    private static int? Int(JsonObject j, string key) => j[key]?.GetValue<int>();

    internal static JsonArray Array<T>(IEnumerable<T> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    internal static string Num(decimal v) => Common.Money.ToText(v);

    /// <summary>"≥ a 且 ≤ b", "≥ a", "≤ b" — ranges are inclusive at both ends.</summary>
    internal static string Range(string? min, string? max, string unit) =>
        (min, max) switch
        {
            ({ } a, { } b) when a == b => $"= {a}{unit}",
            ({ } a, { } b) => $"在 {a} 至 {b}{unit} 之间（含）",
            ({ } a, null) => $"≥ {a}{unit}",
            (null, { } b) => $"≤ {b}{unit}",
            _ => "",
        };
}

/// <summary>收货地区: the consignee's province is one of <see cref="Provinces"/>, or (province, city) is one of <see cref="Cities"/>.</summary>
public sealed record AddressFilter : RuleFilter
{
    /// <summary>Full province names.</summary>
    public required IReadOnlyList<string> Provinces { get; init; }
    /// <summary><c>省/市</c>: the full province name, a slash, the city as typed (compared without a trailing 市/地区/盟/自治州).</summary>
    public required IReadOnlyList<string> Cities { get; init; }

    public override string Type => Address;

    public static AddressFilter Create(IReadOnlyList<string> provinces, IReadOnlyList<string> cities)
    {
        var ps = new List<string>();
        foreach (var p in provinces.Where(p => !string.IsNullOrWhiteSpace(p)))
            ps.Add(ChinaRegions.Normalize(p) ?? throw new DomainException($"“{p.Trim()}”不是中国的省级行政区"));
        var cs = new List<string>();
        foreach (var c in cities.Where(c => !string.IsNullOrWhiteSpace(c)))
        {
            var parts = c.Split('/', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new DomainException($"城市“{c.Trim()}”应写成“省/市”，例如“浙江/杭州”");
            var province = ChinaRegions.Normalize(parts[0]) ?? throw new DomainException($"城市“{c.Trim()}”中的“{parts[0]}”不是中国的省级行政区");
            if (parts[1].Length > 50) throw new DomainException($"城市“{parts[1]}”太长");
            cs.Add(province + "/" + parts[1]);
        }
        if (ps.Count == 0 && cs.Count == 0) throw new DomainException("收货地区条件至少需要一个省或一个城市");
        return new AddressFilter { Provinces = ps.Distinct().ToList(), Cities = cs.Distinct().ToList() };
    }

    /// <summary>A city without its administrative suffix, so 杭州 and 杭州市 compare equal.</summary>
    public static string CityKey(string city)
    {
        var c = city.Trim();
        foreach (var suffix in new[] { "自治州", "地区", "市", "盟" })
            if (c.Length > suffix.Length && c.EndsWith(suffix, StringComparison.Ordinal)) return c[..^suffix.Length];
        return c;
    }

    public override bool Matches(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var province = ChinaRegions.Normalize(order.ShipProvince);
        if (province is null) return false;
        if (Provinces.Contains(province)) return true;
        if (string.IsNullOrWhiteSpace(order.ShipCity)) return false;
        var city = CityKey(order.ShipCity);
        foreach (var c in Cities)
        {
            var slash = c.IndexOf('/', StringComparison.Ordinal);
            if (string.Equals(c[..slash], province, StringComparison.Ordinal) && string.Equals(CityKey(c[(slash + 1)..]), city, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    public override string Describe(RuleTextContext names)
    {
        var parts = Provinces.Concat(Cities.Select(c => c.Replace("/", "", StringComparison.Ordinal))).ToList();
        return $"收货地区为 {string.Join("、", parts)}";
    }

    public override JsonObject ToJson() => new() { ["provinces"] = Array(Provinces), ["cities"] = Array(Cities) };

    public override RuleConditionForm ToForm() => new(Type, string.Join(", ", Provinces.Concat(Cities)));
}

/// <summary>来源平台: the shop's <c>shop_type</c> is one of <see cref="ShopTypes"/>.</summary>
public sealed record PlatformFilter : RuleFilter
{
    public required IReadOnlyList<string> ShopTypes { get; init; }
    public override string Type => Platform;

    public static PlatformFilter Create(IReadOnlyList<string> shopTypes)
    {
        var list = new List<string>();
        foreach (var t in shopTypes.Where(t => !string.IsNullOrWhiteSpace(t)))
            list.Add(Platforms.Find(t.Trim())?.Code ?? throw new DomainException($"“{t.Trim()}”不是已知的平台类型"));
        if (list.Count == 0) throw new DomainException("来源平台条件至少需要一个平台");
        return new PlatformFilter { ShopTypes = list.Distinct().ToList() };
    }

    public override bool Matches(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return ShopTypes.Contains(order.ShopType, StringComparer.OrdinalIgnoreCase);
    }

    public override string Describe(RuleTextContext names) =>
        $"来源平台为 {string.Join("、", ShopTypes.Select(t => Platforms.Find(t)?.Name ?? t))}";

    public override JsonObject ToJson() => new() { ["shop_types"] = Array(ShopTypes) };
    public override RuleConditionForm ToForm() => new(Type, string.Join(", ", ShopTypes));
}

/// <summary>来源店铺: the order's shop is one of <see cref="ShopIds"/> (their existence is checked by the service that saves the rule).</summary>
public sealed record ShopFilter : RuleFilter
{
    public required IReadOnlyList<long> ShopIds { get; init; }
    public override string Type => Shop;

    public static ShopFilter Create(IReadOnlyList<long> shopIds)
    {
        if (shopIds.Any(id => id <= 0)) throw new DomainException("店铺编号必须是正整数");
        if (shopIds.Count == 0) throw new DomainException("来源店铺条件至少需要一个店铺");
        return new ShopFilter { ShopIds = shopIds.Distinct().ToList() };
    }

    public override bool Matches(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return ShopIds.Contains(order.ShopId);
    }

    public override string Describe(RuleTextContext names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return $"来源店铺为 {string.Join("、", ShopIds.Select(names.Shop))}";
    }

    public override JsonObject ToJson() => new() { ["shop_ids"] = Array(ShopIds) };
    public override RuleConditionForm ToForm() => new(Type, string.Join(", ", ShopIds));
}

/// <summary>货到付款: the order is COD (<see cref="IsCod"/> true) or not (款到发货).</summary>
public sealed record CodFilter(bool IsCod) : RuleFilter
{
    public override string Type => Cod;

    public override bool Matches(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.IsCod == IsCod;
    }

    public override string Describe(RuleTextContext names) => IsCod ? "货到付款订单" : "款到发货订单（非货到付款）";
    public override JsonObject ToJson() => new() { ["cod"] = IsCod };
    public override RuleConditionForm ToForm() => new(Type, Yes: IsCod);
}

/// <summary>订单金额: <c>total_amount</c> within [<see cref="Min"/>, <see cref="Max"/>] (either end optional, both inclusive).</summary>
public sealed record MoneyFilter : RuleFilter
{
    public decimal? Min { get; init; }
    public decimal? Max { get; init; }
    public override string Type => Money;

    public static MoneyFilter Create(decimal? min, decimal? max)
    {
        if (min is null && max is null) throw new DomainException("订单金额条件至少需要最小金额或最大金额");
        if (min < 0 || max < 0) throw new DomainException("订单金额不能为负数");
        if (min > max) throw new DomainException($"最小金额 {Num(min!.Value)} 大于最大金额 {Num(max!.Value)}");
        return new MoneyFilter { Min = min, Max = max };
    }

    public override bool Matches(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return (Min is null || order.TotalAmount >= Min) && (Max is null || order.TotalAmount <= Max);
    }

    public override string Describe(RuleTextContext names) =>
        "订单金额" + Range(Min is { } a ? Num(a) : null, Max is { } b ? Num(b) : null, " 元");

    public override JsonObject ToJson() => new() { ["min"] = Min, ["max"] = Max };
    public override RuleConditionForm ToForm() => new(Type, Min: Min is { } a ? Num(a) : null, Max: Max is { } b ? Num(b) : null);
}

/// <summary>
/// 活动订单: the order contains one of <see cref="Codes"/> (a basic material code of an item or a sales material code of an
/// object) and was created (platform <c>createtime</c>) within [<see cref="From"/>, <see cref="To"/>] (UTC, both inclusive).
/// </summary>
public sealed record SkuFilter : RuleFilter
{
    public required IReadOnlyList<string> Codes { get; init; }
    public DateTime From { get; init; }
    public DateTime To { get; init; }
    public override string Type => Sku;

    /// <summary><paramref name="from"/> and <paramref name="to"/> in China time (<c>yyyy-MM-dd HH:mm[:ss]</c>) or unix seconds.</summary>
    public static SkuFilter Create(IReadOnlyList<string> codes, string? from, string? to)
    {
        var list = codes.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0) throw new DomainException("活动订单条件至少需要一个商品编码");
        if (list.FirstOrDefault(c => c.Length > 100) is { } tooLong) throw new DomainException($"商品编码“{tooLong[..20]}…”太长");
        if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to)) throw new DomainException("活动订单条件需要开始时间和结束时间");
        if (!ChinaTime.TryParse(from, out var f)) throw new DomainException($"开始时间“{from.Trim()}”不是有效的时间（yyyy-MM-dd HH:mm:ss）");
        if (!ChinaTime.TryParse(to, out var t)) throw new DomainException($"结束时间“{to.Trim()}”不是有效的时间（yyyy-MM-dd HH:mm:ss）");
        if (f >= t) throw new DomainException("开始时间必须早于结束时间");
        return new SkuFilter { Codes = list, From = f, To = t };
    }

    public override bool Matches(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.CreateTime < From || order.CreateTime > To) return false;
        return order.Items.Any(i => Codes.Contains(i.Bn, StringComparer.Ordinal)) || order.ObjectCodes.Any(c => Codes.Contains(c, StringComparer.Ordinal));
    }

    public override string Describe(RuleTextContext names) =>
        $"在 {ChinaTime.ToText(From)} 至 {ChinaTime.ToText(To)} 下单且含商品 {string.Join("、", Codes)}";

    public override JsonObject ToJson() => new() { ["codes"] = Array(Codes), ["from"] = ChinaTime.ToText(From), ["to"] = ChinaTime.ToText(To) };
    public override RuleConditionForm ToForm() => new(Type, string.Join(", ", Codes), From: ChinaTime.ToText(From), To: ChinaTime.ToText(To));
}

/// <summary>商品种类数 (<see cref="RuleFilter.SkuNum"/>: distinct basic materials) or 商品总数量 (<see cref="RuleFilter.ItemNum"/>: Σ quantities) within [Min, Max].</summary>
public sealed record CountFilter : RuleFilter
{
    private readonly string _type = SkuNum;
    public override string Type => _type;
    public int? Min { get; init; }
    public int? Max { get; init; }

    public static CountFilter Create(string type, int? min, int? max)
    {
        var what = type == SkuNum ? "商品种类数" : "商品总数量";
        if (min is null && max is null) throw new DomainException($"{what}条件至少需要最小值或最大值");
        if (min < 0 || max < 0) throw new DomainException($"{what}不能为负数");
        if (min > max) throw new DomainException($"{what}的最小值 {min} 大于最大值 {max}");
        return new CountFilter(type) { Min = min, Max = max };
    }

    private CountFilter(string type) => _type = type;

    private int Value(OrderFacts o) => _type == SkuNum ? o.SkuKinds : o.ItemCount;

    public override bool Matches(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var v = Value(order);
        return (Min is null || v >= Min) && (Max is null || v <= Max);
    }

    public override string Describe(RuleTextContext names) =>
        (_type == SkuNum ? "商品种类数" : "商品总数量") + Range(Min?.ToString(CultureInfo.InvariantCulture), Max?.ToString(CultureInfo.InvariantCulture), _type == SkuNum ? " 种" : " 件");

    public override JsonObject ToJson() => new() { ["min"] = Min, ["max"] = Max };
    public override RuleConditionForm ToForm() => new(Type, Min: Min?.ToString(CultureInfo.InvariantCulture), Max: Max?.ToString(CultureInfo.InvariantCulture));
}

/// <summary>订单重量 (kg, <see cref="OrderFacts.Weight"/>) within [Min, Max].</summary>
public sealed record WeightFilter : RuleFilter
{
    public decimal? Min { get; init; }
    public decimal? Max { get; init; }
    public override string Type => Weight;

    public static WeightFilter Create(decimal? min, decimal? max)
    {
        if (min is null && max is null) throw new DomainException("订单重量条件至少需要最小重量或最大重量");
        if (min < 0 || max < 0) throw new DomainException("订单重量不能为负数");
        if (min > max) throw new DomainException($"最小重量 {Num(min!.Value)} 大于最大重量 {Num(max!.Value)}");
        return new WeightFilter { Min = min, Max = max };
    }

    public override bool Matches(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var w = order.Weight;
        return (Min is null || w >= Min) && (Max is null || w <= Max);
    }

    public override string Describe(RuleTextContext names) =>
        "订单重量" + Range(Min is { } a ? Num(a) : null, Max is { } b ? Num(b) : null, " kg");

    public override JsonObject ToJson() => new() { ["min"] = Min, ["max"] = Max };
    public override RuleConditionForm ToForm() => new(Type, Min: Min is { } a ? Num(a) : null, Max: Max is { } b ? Num(b) : null);
}

/// <summary>留言/备注关键字: the buyer's message (<c>custom_mark</c>) or the seller's memo (<c>mark_text</c>) contains one of <see cref="Keywords"/> (case-insensitive).</summary>
public sealed record MemoFilter : RuleFilter
{
    public required IReadOnlyList<string> Keywords { get; init; }
    public override string Type => Memo;

    public static MemoFilter Create(IReadOnlyList<string> keywords)
    {
        var list = keywords.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (list.Count == 0) throw new DomainException("留言/备注关键字条件至少需要一个关键字");
        if (list.FirstOrDefault(k => k.Length > 50) is { } tooLong) throw new DomainException($"关键字“{tooLong[..20]}…”太长（最多 50 个字）");
        return new MemoFilter { Keywords = list };
    }

    public override bool Matches(OrderFacts order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Keywords.Any(k => (order.CustomMark?.Contains(k, StringComparison.OrdinalIgnoreCase) ?? false)
                                 || (order.MarkText?.Contains(k, StringComparison.OrdinalIgnoreCase) ?? false));
    }

    public override string Describe(RuleTextContext names) => $"买家留言或卖家备注含 {string.Join("、", Keywords.Select(k => "“" + k + "”"))}";

    public override JsonObject ToJson() => new() { ["keywords"] = Array(Keywords) };
    public override RuleConditionForm ToForm() => new(Type, string.Join(", ", Keywords));
}

/// <summary>A rule's conditions, ANDed. No condition = every order.</summary>
public sealed record RuleConditions(IReadOnlyList<RuleFilter> Filters)
{
    public static readonly RuleConditions Everything = new([]);

    public static RuleConditions Parse(IEnumerable<StoredCondition> stored) => new(stored.Select(RuleFilter.Parse).ToList());

    public bool Matches(OrderFacts order) => Filters.All(f => f.Matches(order));

    public string Describe(RuleTextContext names) =>
        Filters.Count == 0 ? "所有订单" : string.Join("，且", Filters.Select(f => f.Describe(names)));

    /// <summary>The shop ids the conditions name (to check they exist and to render their names).</summary>
    public IEnumerable<long> ShopIds => Filters.OfType<ShopFilter>().SelectMany(f => f.ShopIds);
}
