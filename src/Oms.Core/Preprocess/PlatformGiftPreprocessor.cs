using System.Text.Json;
using Oms.Orders;

namespace Oms.Preprocess;

/// <summary>
/// 平台赠品 (ONEX tbgift) — marks the shop's lines that are the platform's promotion gifts
/// (<see cref="OrderLineSources.PlatformGift"/>): an object sent with <c>obj_type</c> gift, or a free object
/// (price and amount 0) of an order whose promotion details (<c>pmt_detail</c>) describe a gift (赠 / 送).
/// Recomputed each run: a line that no longer qualifies goes back to <c>shop</c>.
/// </summary>
public sealed class PlatformGiftPreprocessor : IOrderPreprocessor
{
    public string Code => "platform_gift";
    public string Name => "平台赠品";
    public int DefaultPosition => 10;

    public Task<PreprocessStep> ProcessAsync(PreprocessContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var giftPromotion = PromotionNamesGift(context.Order.PromotionDetail);
        var marked = new List<string>();
        var unmarked = new List<string>();
        var gifts = 0;
        foreach (var o in context.ShopObjects)
        {
            var isGift = IsPlatformGift(o, giftPromotion);
            if (isGift) gifts++;
            var source = isGift ? OrderLineSources.PlatformGift : OrderLineSources.Shop;
            if (o.Source == source) continue;
            context.Changing();
            o.Source = source;
            (isGift ? marked : unmarked).Add($"{o.Bn}×{o.Quantity}");
        }
        if (marked.Count == 0 && unmarked.Count == 0)
            return Task.FromResult(new PreprocessStep(Code, Name, false, gifts == 0 ? "无平台赠品" : $"平台赠品 {gifts} 行，无变化"));
        var text = string.Join("；", new[]
        {
            marked.Count > 0 ? "标记平台赠品：" + string.Join("，", marked) : null,
            unmarked.Count > 0 ? "取消平台赠品标记：" + string.Join("，", unmarked) : null,
        }.Where(t => t is not null));
        context.Log("预处理（平台赠品）：" + text);
        return Task.FromResult(new PreprocessStep(Code, Name, true, text));
    }

    /// <summary>The rule for one line (also used by tests and screens).</summary>
    public static bool IsPlatformGift(OrderObject o, bool giftPromotion)
    {
        ArgumentNullException.ThrowIfNull(o);
        return string.Equals(o.ObjType, "gift", StringComparison.OrdinalIgnoreCase)
               || (giftPromotion && o.Price == 0m && o.Amount == 0m);
    }

    /// <summary>True when <c>pmt_detail</c> (a JSON list of <c>{pmt_amount, pmt_describe}</c>) names a gift.</summary>
    public static bool PromotionNamesGift(string? pmtDetail)
    {
        if (string.IsNullOrWhiteSpace(pmtDetail)) return false;
        try
        {
            using var doc = JsonDocument.Parse(pmtDetail);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return false;
            foreach (var p in doc.RootElement.EnumerateArray())
                if (p.ValueKind == JsonValueKind.Object && p.TryGetProperty("pmt_describe", out var d) && d.ValueKind == JsonValueKind.String
                    && d.GetString() is { } text && (text.Contains('赠', StringComparison.Ordinal) || text.Contains('送', StringComparison.Ordinal)))
                    return true;
        }
        catch (JsonException)
        {
            // stored as sent; an unreadable detail names no gift
        }
        return false;
    }
}
