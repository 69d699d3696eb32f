using System.Globalization;
using Oms.Common;

namespace Oms.Admin;

public enum SettingType { Bool, Int, Text, Url, DocumentList }

/// <summary>One typed setting: its key, type, default and meaning (PROTOCOL.md §6).</summary>
public sealed record SettingDefinition(string Key, SettingType Type, string Default, string Description, int Min = 0, int Max = int.MaxValue)
{
    /// <summary>Validates and normalizes a value; throws <see cref="ValidationException"/> naming the key.</summary>
    public string Normalize(string? value)
    {
        var v = (value ?? "").Trim();
        switch (Type)
        {
            case SettingType.Bool:
                return v.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" or "on" => "true",
                    "false" or "0" or "no" or "off" => "false",
                    _ => throw new ValidationException(Key, $"{Key} takes true or false, not '{v}'."),
                };
            case SettingType.Int:
                if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < Min || n > Max)
                    throw new ValidationException(Key, $"{Key} takes a whole number from {Min} to {Max}, not '{v}'.");
                return n.ToString(CultureInfo.InvariantCulture);
            case SettingType.Url:
                if (v.Length > 0 && !(Uri.TryCreate(v, UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https")))
                    throw new ValidationException(Key, $"{Key} takes an http(s) address or nothing, not '{v}'.");
                return v;
            case SettingType.DocumentList:
                var parts = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                foreach (var p in parts)
                    if (p is not ("stock" or "delivery" or "express"))
                        throw new ValidationException(Key, $"{Key} takes a comma separated list of stock, delivery, express; '{p}' is none of them.");
                return string.Join(',', parts.Distinct());
            default:
                return v;
        }
    }
}

/// <summary>Every setting the OMS knows. Unknown keys are refused.</summary>
public static class SettingsRegistry
{
    public static readonly IReadOnlyList<SettingDefinition> All =
    [
        new("order.buffer_minutes", SettingType.Int, "10", "订单缓冲时间（分钟）：从到达或付款（取较晚者）起在暂存区等待的时间", 0, 10080),
        new("order.intake_async", SettingType.Bool, "false", "订单收订进队列：入队后即应答 state=queued"),
        new("preprocess.invoice_content", SettingType.Text, "商品明细", "发票补全：开票申请的默认发票内容"),
        new("review.auto_enabled", SettingType.Bool, "false", "自动审单"),
        new("review.split_by_branch", SettingType.Bool, "false", "自动审单：没有一个仓库有全部库存时，拆分到多个仓库发货"),
        new("matrix.url", SettingType.Url, "", "矩阵地址：店铺或 WMS 渠道未设 api_url 时的出站请求地址"),
        new("matrix.node_id", SettingType.Text, "", "本系统的矩阵节点号：出站请求的 from_node_id"),
        new("matrix.callback_url", SettingType.Url, "", "异步应答回调地址（callback_url）；为空时用配置 Oms:PublicUrl 或服务地址 + /api/callback"),
        new("matrix.rate_per_second", SettingType.Int, "20", "每个对端（to_node_id）每秒最多出站请求数", 1, 10000),
        new("matrix.timeout_seconds", SettingType.Int, "30", "出站请求等待应答的秒数，超时按失败重试", 1, 600),
        new("matrix.callback_timeout_minutes", SettingType.Int, "60", "异步回调超时（分钟）：对方答复 running 后超过此时间未回调，出站请求记为失败，可重试", 1, 10080),
        new("matrix.system_token", SettingType.Text, "", "系统证书 token：/api 也接受以此签名的请求"),
        new("print.required", SettingType.DocumentList, "stock,delivery,express", "校验前必须打印的单据（stock 备货单, delivery 发货单, express 快递单）"),
        new("verify.required", SettingType.Bool, "true", "发货前必须校验"),
        new("stock.allow_negative", SettingType.Bool, "false", "允许仓库冻结超过实际库存（计数器仍不会小于 0）"),
        new("stocksync.enabled", SettingType.Bool, "false", "定时回写库存到店铺"),
        new("stocksync.interval_seconds", SettingType.Int, "300", "库存回写周期（秒）", 30, 86400),
        new("apilog.max_rows", SettingType.Int, "1000000", "同步日志最多保留行数", 1000, 100_000_000),
        new("apilog.max_days", SettingType.Int, "15", "同步日志最多保留天数", 1, 3650),
        new("ui.tab_counts", SettingType.Bool, "true", "降级开关：列表页签计数"),
    ];

    private static readonly Dictionary<string, SettingDefinition> ByKey = All.ToDictionary(d => d.Key, StringComparer.Ordinal);

    public static SettingDefinition Get(string key) =>
        ByKey.TryGetValue(key, out var d) ? d : throw new ValidationException("key", $"Unknown setting '{key}'. Known settings: {string.Join(", ", ByKey.Keys)}.");

    public static bool IsKnown(string key) => ByKey.ContainsKey(key);
}
