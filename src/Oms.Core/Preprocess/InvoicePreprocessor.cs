using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Common;
using Oms.Data;
using Oms.Orders;

namespace Oms.Preprocess;

/// <summary>
/// 发票补全 — an order asking for an invoice (<c>is_tax</c>) gets an <see cref="InvoiceRequest"/> with a
/// complete title: the title the shop sent, else the member's name (会员姓名), else the consignee (收货人),
/// else the member's account (会员名), else 个人; the tax number as sent; the content from the setting
/// <c>preprocess.invoice_content</c>; the amount = the order's total. A pending request follows later pushes
/// (recomputed each run); when the order no longer asks for one, a pending request is cancelled.
/// The order itself keeps what the shop sent.
/// </summary>
public sealed class InvoicePreprocessor(OmsDbContext db, SettingsService settings) : IOrderPreprocessor
{
    public const string ContentSetting = "preprocess.invoice_content";

    public string Code => "invoice";
    public string Name => "发票补全";
    public int DefaultPosition => 20;

    private Dictionary<long, InvoiceRequest> _requests = [];

    /// <summary>The run's invoice requests, read (tracked) in one query.</summary>
    public async Task PrepareAsync(IReadOnlyList<Order> orders, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var ids = orders.Select(o => o.Id).ToList();
        _requests = await db.Set<InvoiceRequest>().Where(r => ids.Contains(r.OrderId)).ToDictionaryAsync(r => r.OrderId, ct).ConfigureAwait(false);
    }

    public async Task<PreprocessStep> ProcessAsync(PreprocessContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = context.Order;
        var request = _requests.GetValueOrDefault(o.Id);
        if (!o.IsTax)
        {
            if (request is null || request.Status != InvoiceRequestStatus.Pending)
                return new PreprocessStep(Code, Name, false, "不开票");
            request.Status = InvoiceRequestStatus.Cancelled;
            request.UpdatedAt = context.Now;
            context.Log("预处理（发票补全）：店铺已取消开票，开票申请已取消");
            return new PreprocessStep(Code, Name, true, "店铺已取消开票，开票申请已取消");
        }
        var (title, source) = Title(o.TaxTitle, o.MemberName, o.ShipName, o.MemberUname);
        var content = (await settings.GetTextAsync(ContentSetting, ct).ConfigureAwait(false)).Trim();
        if (content.Length == 0) content = "商品明细";
        var taxNo = string.IsNullOrWhiteSpace(o.TaxNo) ? null : o.TaxNo.Trim();
        if (request is null)
        {
            db.Add(new InvoiceRequest
            {
                OrderId = o.Id, Title = Cut(title, 200), TitleSource = source, TaxNo = taxNo is null ? null : Cut(taxNo, 64), Content = Cut(content, 200),
                Amount = o.TotalAmount, Status = InvoiceRequestStatus.Pending, CreatedAt = context.Now, UpdatedAt = context.Now,
            });
            var text = $"开票申请：抬头 {title}（{SourceText(source)}）" + (taxNo is null ? "" : $"，税号 {taxNo}") + $"，内容 {content}，金额 {Money.ToText(o.TotalAmount)}";
            context.Log("预处理（发票补全）：" + text);
            return new PreprocessStep(Code, Name, true, text);
        }
        if (request.Status == InvoiceRequestStatus.Cancelled) request.Status = InvoiceRequestStatus.Pending;
        else if (request.Status != InvoiceRequestStatus.Pending)
            return new PreprocessStep(Code, Name, false, "开票申请已处理，不再修改");
        var changes = new List<string>();
        if (request.Title != Cut(title, 200)) { changes.Add($"抬头 {request.Title} → {title}（{SourceText(source)}）"); request.Title = Cut(title, 200); request.TitleSource = source; }
        if (request.TaxNo != taxNo) { changes.Add($"税号 {request.TaxNo ?? "（空）"} → {taxNo ?? "（空）"}"); request.TaxNo = taxNo; }
        if (request.Content != Cut(content, 200)) { changes.Add($"内容 {request.Content} → {content}"); request.Content = Cut(content, 200); }
        if (request.Amount != o.TotalAmount) { changes.Add($"金额 {Money.ToText(request.Amount)} → {Money.ToText(o.TotalAmount)}"); request.Amount = o.TotalAmount; }
        if (db.Entry(request).State == EntityState.Unchanged && changes.Count == 0)
            return new PreprocessStep(Code, Name, false, $"开票申请：抬头 {request.Title}，无变化");
        if (changes.Count == 0) changes.Add("重新开票");
        request.UpdatedAt = context.Now;
        var t = "开票申请更新：" + string.Join("；", changes);
        context.Log("预处理（发票补全）：" + t);
        return new PreprocessStep(Code, Name, true, t);
    }

    /// <summary>The completion rule for the title: first non-blank of shop title, member name, consignee, member account; else 个人.</summary>
    public static (string Title, string Source) Title(string? taxTitle, string? memberName, string? shipName, string? memberUname) =>
        !string.IsNullOrWhiteSpace(taxTitle) ? (taxTitle.Trim(), "shop")
        : !string.IsNullOrWhiteSpace(memberName) ? (memberName.Trim(), "member")
        : !string.IsNullOrWhiteSpace(shipName) ? (shipName.Trim(), "consignee")
        : !string.IsNullOrWhiteSpace(memberUname) ? (memberUname.Trim(), "member")
        : ("个人", "default");

    public static string SourceText(string source) => source switch
    {
        "shop" => "店铺提供",
        "member" => "取自会员",
        "consignee" => "取自收货人",
        _ => "默认",
    };

    private static string Cut(string s, int n) => s.Length <= n ? s : s[..n];
}
