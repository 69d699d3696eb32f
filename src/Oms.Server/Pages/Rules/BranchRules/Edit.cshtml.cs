using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Rules;
using Oms.Server.Web;
using Oms.Warehouses;

namespace Oms.Server.Pages.Rules.BranchRules;

/// <summary>Create or change a branch rule: name, priority, enabled, conditions, candidate branches with weights.</summary>
[RequirePermission(Permissions.OrdersReview)]
public sealed class BranchRuleEditModel(BranchRuleService rules, OrderGroupService groups, BranchService branches, IStringLocalizer<SharedResource> l)
    : RuleConditionEditorModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public int Priority { get; set; }
        public bool Enabled { get; set; } = true;
        public List<long> Branches { get; set; } = [];
        public Dictionary<long, int> Weights { get; set; } = [];
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public BranchRule? Existing { get; private set; }
    public IReadOnlyList<(long Id, string Name, string Bn)> AllBranches { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } r)
        {
            Input = new InputModel
            {
                Name = r.Name, Priority = r.Priority, Enabled = r.Enabled,
                Branches = r.Candidates.Select(c => c.BranchId).ToList(), Weights = r.Candidates.ToDictionary(c => c.BranchId, c => c.Weight),
            };
            SetConditions(r.Conditions.OrderBy(c => c.Position).Select(c => RuleFilter.Parse(c.ToStored())));
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!ReadPosted()) return Page();
        SyncHidden();
        var input = new BranchRuleInput(Input.Name ?? "", Input.Priority, Input.Enabled, Conditions.Select(c => c.Filter).ToList(),
            Input.Branches.Distinct().Select(b => new BranchCandidate(b, Input.Weights.GetValueOrDefault(b))).ToList());
        if (!await TryAsync(async () => _ = Existing is null
                ? await rules.CreateAsync(input, Actor ?? "admin", ct)
                : await rules.UpdateAsync(Existing.Id, input, Actor ?? "admin", ct)))
            return Page();
        Flash(l["Common.Saved"]);
        return Redirect("/rules/branch-rules");
    }

    protected override async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        Names = await groups.NamesAsync(ct);
        AllBranches = (await branches.ListAsync(new BranchFilter(Type: BranchType.Delivery), null, 500, ct)).Items
            .Select(b => (b.Branch.Id, b.Branch.Name, b.Branch.BranchBn)).ToList();
        if (id is { } i)
        {
            try { Existing = await rules.GetAsync(i, ct); }
            catch (Oms.Common.DomainException) { return false; }
        }
        return true;
    }
}
