using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Channels;
using Oms.Server.Web;
using Oms.Warehouses;

namespace Oms.Server.Pages.Warehouses.Branches;

/// <summary>Create a branch or change one, with the shops it supplies.</summary>
[RequirePermission(Permissions.MasterDataEdit)]
public sealed class BranchEditModel(BranchService branches, ShopService shops, Oms.Wms.WmsChannelService wmsChannels, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? BranchBn { get; set; }
        public string? Name { get; set; }
        public string? Wms { get; set; } = Branch.SelfWms;
        public bool Online { get; set; } = true;
        public BranchType Type { get; set; } = BranchType.Delivery;
        public string? Area { get; set; }
        public string? Address { get; set; }
        public int? Weight { get; set; } = 0;
        public List<string> Shops { get; set; } = [];
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public Branch? Existing { get; private set; }
    public IReadOnlyList<ShopOption> AllShops { get; private set; } = [];
    public IReadOnlyList<Oms.Wms.WmsChannelOption> WmsChannels { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } b)
        {
            var current = BranchInput.From(b, await branches.ShopBnsAsync(b.Id, ct));
            Input = new InputModel
            {
                BranchBn = current.BranchBn, Name = current.Name, Wms = current.Wms, Online = current.Online, Type = current.Type, Area = current.Area,
                Address = current.Address, Weight = current.Weight, Shops = current.Shops.ToList(),
            };
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!ModelState.IsValid) return Page();
        var input = new BranchInput(Existing?.BranchBn ?? Input.BranchBn ?? "", Input.Name ?? "")
        {
            Wms = Input.Wms ?? Branch.SelfWms, Online = Input.Online, Type = Input.Type, Area = Input.Area, Address = Input.Address, Weight = Input.Weight ?? 0, Shops = Input.Shops,
        };
        Branch? saved = null;
        if (!await TryAsync(async () => saved = Existing is null
                ? await branches.CreateAsync(input, Actor, ct)
                : await branches.UpdateAsync(input, Actor, ct)))
            return Page();
        Flash(Existing is null ? l["Branches.Created", saved!.BranchBn] : l["Common.Saved"]);
        return Redirect("/warehouses/branches");
    }

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        AllShops = await shops.OptionsAsync(ct);
        WmsChannels = await wmsChannels.OptionsAsync(ct);
        if (id is null) return true;
        Existing = await branches.FindByIdAsync(id.Value, ct);
        return Existing is not null;
    }
}
