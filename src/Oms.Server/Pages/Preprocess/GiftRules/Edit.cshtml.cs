using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Common;
using Oms.Orders;
using Oms.Preprocess;
using Oms.Server.Web;

namespace Oms.Server.Pages.Preprocess.GiftRules;

/// <summary>Create or change a CRM gift rule (its code stays). Times are entered in China time.</summary>
[RequirePermission(Permissions.OrdersReview)]
public sealed class GiftRuleEditModel(CrmGiftService gifts, OrderDetailQuery orders, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? RuleBn { get; set; }
        public string? Name { get; set; }
        public bool Enabled { get; set; } = true;
        public int? Priority { get; set; } = 0;
        public bool Stackable { get; set; }
        public string? StartAt { get; set; }
        public string? EndAt { get; set; }
        public decimal? MinAmount { get; set; }
        public decimal? MaxAmount { get; set; }
        public int? MinItems { get; set; }
        public int? MaxItems { get; set; }
        /// <summary>Codes separated by commas, spaces or new lines.</summary>
        public string? SkuCodes { get; set; }
        public int? SkuMinQuantity { get; set; } = 1;
        public List<string> ShopBns { get; set; } = [];
        public int? MaxTimes { get; set; }
        /// <summary>One gift a line: <c>code quantity</c> (or <c>code×quantity</c>, <c>code,quantity</c>).</summary>
        public string? Gifts { get; set; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public CrmGiftRule? Existing { get; private set; }
    public IReadOnlyList<ShopOption> Shops { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } r)
            Input = new InputModel
            {
                RuleBn = r.RuleBn, Name = r.Name, Enabled = r.Enabled, Priority = r.Priority, Stackable = r.Stackable,
                StartAt = ChinaTime.ToText(r.StartAt), EndAt = ChinaTime.ToText(r.EndAt), MinAmount = r.MinAmount, MaxAmount = r.MaxAmount,
                MinItems = r.MinItems, MaxItems = r.MaxItems, SkuCodes = string.Join(", ", r.SkuCodes), SkuMinQuantity = r.SkuMinQuantity,
                ShopBns = r.ShopBns.ToList(), MaxTimes = r.MaxTimes,
                Gifts = string.Join("\n", r.Gifts.OrderBy(g => g.Id).Select(g => $"{g.SalesMaterialBn} {g.Quantity}")),
            };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!ModelState.IsValid) return Page();
        var start = Time(Input.StartAt, "start_at");
        var end = Time(Input.EndAt, "end_at");
        var giftLines = GiftLines(Input.Gifts);
        if (!ModelState.IsValid) return Page();
        var input = new CrmGiftRuleInput(Existing?.RuleBn ?? Input.RuleBn ?? "", Input.Name ?? "")
        {
            Enabled = Input.Enabled, Priority = Input.Priority ?? 0, Stackable = Input.Stackable, StartAt = start, EndAt = end,
            MinAmount = Input.MinAmount, MaxAmount = Input.MaxAmount, MinItems = Input.MinItems, MaxItems = Input.MaxItems,
            SkuCodes = (Input.SkuCodes ?? "").Split([',', '，', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries),
            SkuMinQuantity = Input.SkuMinQuantity ?? 1, ShopBns = Input.ShopBns, MaxTimes = Input.MaxTimes, Gifts = giftLines,
        };
        CrmGiftRule? saved = null;
        if (!await TryAsync(async () => saved = Existing is null
                ? await gifts.CreateAsync(input, Actor, ct)
                : await gifts.UpdateAsync(Existing.Id, input, Actor, ct)))
            return Page();
        Flash(saved!.RuleBn + " · " + l["Common.Saved"]);
        return Redirect("/preprocess/gift-rules");
    }

    private DateTime? Time(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (ChinaTime.TryParse(text.Replace('T', ' '), out var utc)) return utc;
        ModelState.AddModelError("Input." + field, $"时间格式应为 yyyy-MM-dd HH:mm:ss（北京时间），不是 '{text.Trim()}'");
        return null;
    }

    private List<GiftInput> GiftLines(string? text)
    {
        var result = new List<GiftInput>();
        foreach (var raw in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = raw.Split([' ', '\t', ',', '，', '×', '*', 'x'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 1) { result.Add(new GiftInput(parts[0], 1)); continue; }
            if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)) { result.Add(new GiftInput(parts[0], n)); continue; }
            ModelState.AddModelError("Input.gifts", $"赠品行 '{raw}' 应为「销售物料编码 数量」");
        }
        return result;
    }

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        Shops = await orders.ShopsAsync(ct);
        if (id is null) return true;
        Existing = await gifts.FindAsync(id.Value, ct);
        return Existing is not null;
    }
}
