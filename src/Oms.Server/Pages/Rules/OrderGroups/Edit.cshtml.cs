using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Dispatch;
using Oms.Rules;
using Oms.Server.Web;

namespace Oms.Server.Pages.Rules.OrderGroups;

/// <summary>Create or change an order group: name, priority, enabled, conditions, review rule and dispatch rule.</summary>
[RequirePermission(Permissions.OrdersReview)]
public sealed class OrderGroupEditModel(OrderGroupService groups, ReviewRuleService reviewRules, ConfirmGroupService dispatch, IStringLocalizer<SharedResource> l)
    : RuleConditionEditorModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public int Priority { get; set; }
        public bool Enabled { get; set; } = true;
        public long? ReviewRuleId { get; set; }
        public long? DispatchRuleId { get; set; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public OrderGroup? Existing { get; private set; }
    public IReadOnlyList<ReviewRule> ReviewRules { get; private set; } = [];
    public IReadOnlyList<DispatchRuleView> DispatchRules { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } g)
        {
            Input = new InputModel { Name = g.Name, Priority = g.Priority, Enabled = g.Enabled, ReviewRuleId = g.ReviewRuleId, DispatchRuleId = g.DispatchRuleId };
            SetConditions(g.Conditions.OrderBy(c => c.Position).Select(c => RuleFilter.Parse(c.ToStored())));
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!ReadPosted()) return Page();
        SyncHidden();
        var input = new OrderGroupInput(Input.Name ?? "", Input.Priority, Input.Enabled, Conditions.Select(c => c.Filter).ToList(), Input.ReviewRuleId, Input.DispatchRuleId);
        if (!await TryAsync(async () => _ = Existing is null
                ? await groups.CreateAsync(input, Actor ?? "admin", ct)
                : await groups.UpdateAsync(Existing.Id, input, Actor ?? "admin", ct)))
            return Page();
        Flash(l["Common.Saved"]);
        return Redirect("/rules/order-groups");
    }

    protected override async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        Names = await groups.NamesAsync(ct);
        ReviewRules = await reviewRules.ListAsync(ct);
        DispatchRules = await dispatch.DispatchRulesAsync(ct);
        if (id is { } i)
        {
            try { Existing = await groups.GetAsync(i, ct); }
            catch (Oms.Common.DomainException) { return false; }
        }
        return true;
    }
}
