using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Deliveries;
using Oms.Review;
using Oms.Server.Web;

namespace Oms.Server.Pages.Review;

/// <summary>
/// 审单: one order with its remaining lines, merge candidates, candidate branches with stock, the chosen branch's carriers,
/// and the reviewer's actions (permission <see cref="Permissions.OrdersReview"/>): confirm (merging ticked candidates),
/// confirm part of the quantities (a partial delivery), pause / resume, mark / clear abnormal, cancel the order, cancel
/// the remaining lines, revoke (打回) an open delivery. Every action is post-redirect-get (htmx swaps <c>#review</c>);
/// the answer — the new delivery number or the service's refusal — shows above the order.
/// </summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class ReviewOrderModel(ReviewQueue queue, ReviewService review, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public ReviewCaseView Case { get; private set; } = null!;
    public bool CanReview => User.Has(Permissions.OrdersReview);
    public string? Result { get; private set; }
    public bool ResultOk { get; private set; }
    /// <summary>The delivery the last confirm created (linked in the answer).</summary>
    public long? NewDeliveryId { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, long? branch, CancellationToken ct)
    {
        if (TempData[ResultKey] is string result)
        {
            Result = result;
            ResultOk = TempData[ResultOkKey] as string == "ok";
            NewDeliveryId = long.TryParse(TempData[DeliveryKey] as string, CultureInfo.InvariantCulture, out var d) ? d : null;
        }
        if (await queue.CaseAsync(id, branch, ct) is not { } c) return NotFound();
        Case = c;
        return Page();
    }

    public Task<IActionResult> OnPostConfirmAsync(long id, long[]? merge, long? branch, long? logistics, CancellationToken ct) =>
        ActAsync(id, branch, async () =>
        {
            if (branch is not { } b) throw new Common.DomainException(l["Review.ChooseBranch"]);
            var d = await review.ConfirmAsync([id, .. (merge ?? []).Where(m => m != id).Distinct()], b, logistics, Actor ?? "admin", ct);
            NewDeliveryId = d.Id;
            return l["Review.Confirmed", d.DeliveryBn];
        });

    /// <summary>A partial delivery: the quantities typed per remaining line (blank or 0 = not in this delivery).</summary>
    public Task<IActionResult> OnPostSplitAsync(long id, Dictionary<long, string>? qty, long? branch, long? logistics, CancellationToken ct) =>
        ActAsync(id, branch, async () =>
        {
            if (branch is not { } b) throw new Common.DomainException(l["Review.ChooseBranch"]);
            var lines = new List<DeliveryLine>();
            foreach (var (itemId, text) in qty ?? [])
            {
                if (string.IsNullOrWhiteSpace(text)) continue;
                if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                    throw new Common.DomainException(l["Review.QuantityNotNumber", text.Trim()]);
                if (n != 0) lines.Add(new DeliveryLine(itemId, n));
            }
            var made = await review.SplitAsync([new DeliveryDraft(b, logistics, lines)], Actor ?? "admin", ct);
            NewDeliveryId = made[0].Id;
            return l["Review.Confirmed", made[0].DeliveryBn];
        });

    public Task<IActionResult> OnPostPauseAsync(long id, string? reason, long? branch, CancellationToken ct) =>
        ActAsync(id, branch, async () => { await review.PauseAsync(id, reason ?? "", Actor ?? "admin", ct); return l["Review.Done.Pause"]; });

    public Task<IActionResult> OnPostResumeAsync(long id, long? branch, CancellationToken ct) =>
        ActAsync(id, branch, async () => { await review.ResumeAsync(id, Actor ?? "admin", ct); return l["Review.Done.Resume"]; });

    public Task<IActionResult> OnPostAbnormalAsync(long id, string? reason, long? branch, CancellationToken ct) =>
        ActAsync(id, branch, async () => { await review.MarkAbnormalAsync(id, reason ?? "", Actor ?? "admin", ct); return l["Review.Done.Abnormal"]; });

    public Task<IActionResult> OnPostClearAbnormalAsync(long id, long? branch, CancellationToken ct) =>
        ActAsync(id, branch, async () => { await review.ClearAbnormalAsync(id, Actor ?? "admin", ct); return l["Review.Done.ClearAbnormal"]; });

    public Task<IActionResult> OnPostCancelAsync(long id, string? reason, long? branch, CancellationToken ct) =>
        ActAsync(id, branch, async () => { await review.CancelAsync(id, reason ?? "", Actor ?? "admin", ct); return l["Review.Done.Cancel"]; });

    public Task<IActionResult> OnPostCancelRemainingAsync(long id, string? reason, long? branch, CancellationToken ct) =>
        ActAsync(id, branch, async () => { await review.CancelRemainingAsync(id, reason ?? "", Actor ?? "admin", ct); return l["Review.Done.CancelRemaining"]; });

    public Task<IActionResult> OnPostRevokeAsync(long id, long delivery, string? reason, long? branch, CancellationToken ct) =>
        ActAsync(id, branch, async () =>
        {
            var d = await review.RevokeAsync(delivery, reason ?? "", Actor ?? "admin", ct);
            return d.IsOpen ? l["Wms.CancelRequested", d.DeliveryBn] : l["Review.Done.Revoke", d.DeliveryBn];
        });

    /// <summary>
    /// Runs one action for a reviewer (403 otherwise); a refusal's message is the answer and nothing changed (each service
    /// call is one transaction). Post-redirect-get, for htmx too (it follows the redirect and swaps <c>#review</c>).
    /// </summary>
    private async Task<IActionResult> ActAsync(long id, long? branch, Func<Task<string>> action)
    {
        if (!CanReview) return Forbid();
        string? done = null;
        ResultOk = await TryAsync(async () => done = await action(), prefix: "");
        Result = ResultOk ? done : string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
        TempData[ResultKey] = Result ?? "";
        TempData[ResultOkKey] = ResultOk ? "ok" : "bad";
        if (ResultOk && NewDeliveryId is { } d) TempData[DeliveryKey] = d.ToString(CultureInfo.InvariantCulture);
        return RedirectToPage(new { id, branch });
    }

    private const string ResultKey = "review.result";
    private const string ResultOkKey = "review.ok";
    private const string DeliveryKey = "review.delivery";

    /// <summary>Stock of a line's material in a branch as "free / store" (free = store − freeze).</summary>
    public string StockText(long branchId, long basicMaterialId) =>
        Case.StockOf(branchId, basicMaterialId) is { } s ? $"{s.Free} / {s.Store}" : "0 / 0";

    public bool Short(long branchId, long basicMaterialId) =>
        Case.StockOf(branchId, basicMaterialId) is not { } s || s.Free < s.Needed;
}
