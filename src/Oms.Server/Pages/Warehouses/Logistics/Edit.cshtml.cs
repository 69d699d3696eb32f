using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Server.Web;
using Oms.Warehouses;

namespace Oms.Server.Pages.Warehouses.Logistics;

/// <summary>Set up a logistics company for a branch, or change one (the branch and the code stay).</summary>
[RequirePermission(Permissions.MasterDataEdit)]
public sealed class LogisticsEditModel(LogisticsService logistics, BranchService branches, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? BranchBn { get; set; }
        public string? Code { get; set; }
        public string? Name { get; set; }
        /// <summary>Provinces reached; none ticked = everywhere.</summary>
        public List<string> Areas { get; set; } = [];
        public int? Priority { get; set; } = 0;
        public decimal? MaxWeight { get; set; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public LogisticsListItem? Existing { get; private set; }
    public IReadOnlyList<BranchOption> AllBranches { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id, string? branch, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } e)
        {
            var current = LogisticsInput.From(e.Company, e.BranchBn);
            Input = new InputModel
            {
                BranchBn = current.BranchBn, Code = current.Code, Name = current.Name, Areas = current.Areas.ToList(), Priority = current.Priority, MaxWeight = current.MaxWeight,
            };
        }
        else Input.BranchBn = branch;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!ModelState.IsValid) return Page();
        var input = new LogisticsInput(Existing?.BranchBn ?? Input.BranchBn ?? "", Existing?.Company.Code ?? Input.Code ?? "", Input.Name ?? "")
        {
            Areas = Input.Areas, Priority = Input.Priority ?? 0, MaxWeight = Input.MaxWeight,
        };
        LogisticsCompany? saved = null;
        if (!await TryAsync(async () => saved = Existing is null
                ? await logistics.CreateAsync(input, Actor, ct)
                : await logistics.UpdateAsync(input, Actor, ct)))
            return Page();
        Flash(Existing is null ? l["Logistics.Created", saved!.Code] : l["Common.Saved"]);
        return Redirect("/warehouses/logistics");
    }

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        AllBranches = await branches.OptionsAsync(ct);
        if (id is null) return true;
        Existing = await logistics.FindByIdAsync(id.Value, ct);
        return Existing is not null;
    }
}
