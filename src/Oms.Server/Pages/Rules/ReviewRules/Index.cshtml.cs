using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Review;
using Oms.Rules;
using Oms.Server.Web;

namespace Oms.Server.Pages.Rules.ReviewRules;

/// <summary>审单规则: the rules with the flags that block, and a form to add one or change one (<c>?id=</c>).</summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class ReviewRulesModel(ReviewRuleService rules, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public List<long> Flags { get; set; } = [];
        public bool CheckProduct { get; set; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public IReadOnlyList<ReviewRule> Rules { get; private set; } = [];
    public ReviewRule? Editing { get; private set; }
    public bool CanEdit => User.Has(Permissions.OrdersReview);

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        await LoadAsync(id, ct);
        if (id is not null && Editing is null) return NotFound();
        Input = Editing is { } r
            ? new InputModel { Name = r.Name, Flags = ReviewFlagText.All.Where(f => (r.BlockingFlags & (long)f) != 0).Select(f => (long)f).ToList(), CheckProduct = r.CheckProduct }
            : new InputModel { Flags = ReviewFlagText.All.Where(f => RuleDefaults.DefaultBlocking.HasFlag(f)).Select(f => (long)f).ToList() };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        await LoadAsync(id, ct);
        var flags = (ReviewFlags)Input.Flags.Aggregate(0L, (a, f) => a | f);
        if (!await TryAsync(async () => _ = Editing is null
                ? await rules.CreateAsync(Input.Name ?? "", flags, Input.CheckProduct, Actor ?? "admin", ct)
                : await rules.UpdateAsync(Editing.Id, Input.Name ?? "", flags, Input.CheckProduct, Actor ?? "admin", ct)))
            return Page();
        Flash(l["Common.Saved"]);
        return RedirectToPage(new { id = (long?)null });
    }

    public async Task<IActionResult> OnPostDeleteAsync(long deleteId, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        if (await TryAsync(() => rules.DeleteAsync(deleteId, Actor ?? "admin", ct))) Flash(l["Common.Deleted"]);
        else Flash(string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage)));
        return RedirectToPage(new { id = (long?)null });
    }

    private async Task LoadAsync(long? id, CancellationToken ct)
    {
        Rules = await rules.ListAsync(ct);
        Editing = id is { } i ? Rules.FirstOrDefault(r => r.Id == i) : null;
    }
}
