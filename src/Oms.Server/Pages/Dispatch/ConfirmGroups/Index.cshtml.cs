using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Dispatch;
using Oms.Server.Web;

namespace Oms.Server.Pages.Dispatch.ConfirmGroups;

/// <summary>
/// 审单小组: the groups with their members and who is on duty (在岗, toggled per member), a form to add or change a group
/// (<c>?id=</c>), and the dispatch rules (自动分派规则) that send orders to a group.
/// </summary>
[RequirePermission(Permissions.OrdersView)]
public sealed class ConfirmGroupsModel(ConfirmGroupService groups, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public List<long> Members { get; set; } = [];
        public List<long> OnDuty { get; set; } = [];
    }

    public sealed class RuleInputModel
    {
        public long? Id { get; set; }
        public string? Name { get; set; }
        public long ConfirmGroupId { get; set; }
        public DispatchMode Mode { get; set; } = DispatchMode.RoundRobin;
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty] public RuleInputModel Rule { get; set; } = new();
    public IReadOnlyList<ConfirmGroupView> Groups { get; private set; } = [];
    public IReadOnlyList<DispatchRuleView> Rules { get; private set; } = [];
    public IReadOnlyList<(long Id, string Label)> Users { get; private set; } = [];
    public ConfirmGroupView? Editing { get; private set; }
    public bool CanEdit => User.Has(Permissions.OrdersReview);

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        await LoadAsync(id, ct);
        if (id is not null && Editing is null) return NotFound();
        if (Editing is { } g)
            Input = new InputModel { Name = g.Name, Members = g.Members.Select(m => m.UserId).ToList(), OnDuty = g.Members.Where(m => m.OnDuty).Select(m => m.UserId).ToList() };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        await LoadAsync(id, ct);
        var members = Input.Members.Distinct().Select(u => new ConfirmGroupMemberInput(u, Input.OnDuty.Contains(u))).ToList();
        if (!await TryAsync(async () => _ = Editing is null
                ? await groups.CreateAsync(Input.Name ?? "", members, Actor ?? "admin", ct)
                : await groups.UpdateAsync(Editing.Id, Input.Name ?? "", members, Actor ?? "admin", ct)))
            return Page();
        Flash(l["Common.Saved"]);
        return RedirectToPage(new { id = (long?)null });
    }

    public async Task<IActionResult> OnPostDutyAsync(long groupId, long userId, bool onDuty, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        if (!await TryAsync(() => groups.SetOnDutyAsync(groupId, userId, onDuty, Actor ?? "admin", ct))) return await ErrorAsync(ct);
        Flash(l["Common.Saved"]);
        return RedirectToPage(new { id = (long?)null });
    }

    public async Task<IActionResult> OnPostDeleteAsync(long groupId, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        if (!await TryAsync(() => groups.DeleteAsync(groupId, Actor ?? "admin", ct))) return await ErrorAsync(ct);
        Flash(l["Common.Deleted"]);
        return RedirectToPage(new { id = (long?)null });
    }

    public async Task<IActionResult> OnPostRuleAsync(CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        if (!await TryAsync(() => groups.SaveDispatchRuleAsync(Rule.Id, Rule.Name ?? "", Rule.ConfirmGroupId, Rule.Mode, Actor ?? "admin", ct), "Rule."))
            return await ErrorAsync(ct);
        Flash(l["Common.Saved"]);
        return RedirectToPage(new { id = (long?)null });
    }

    public async Task<IActionResult> OnPostDeleteRuleAsync(long ruleId, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        if (!await TryAsync(() => groups.DeleteDispatchRuleAsync(ruleId, Actor ?? "admin", ct))) return await ErrorAsync(ct);
        Flash(l["Common.Deleted"]);
        return RedirectToPage(new { id = (long?)null });
    }

    private async Task<IActionResult> ErrorAsync(CancellationToken ct)
    {
        await LoadAsync(null, ct);
        return Page();
    }

    private async Task LoadAsync(long? id, CancellationToken ct)
    {
        Groups = await groups.ListAsync(ct);
        Rules = await groups.DispatchRulesAsync(ct);
        Users = await groups.UserOptionsAsync(ct);
        Editing = id is { } i ? Groups.FirstOrDefault(g => g.Id == i) : null;
    }
}
