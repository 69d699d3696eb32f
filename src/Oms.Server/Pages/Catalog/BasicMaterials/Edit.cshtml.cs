using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Catalog;
using Oms.Server.Web;

namespace Oms.Server.Pages.Catalog.BasicMaterials;

/// <summary>Create a basic material or change one (the code stays).</summary>
[RequirePermission(Permissions.MasterDataEdit)]
public sealed class BasicMaterialEditModel(BasicMaterialService materials, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? MaterialBn { get; set; }
        public string? Name { get; set; }
        public string? Barcode { get; set; }
        public BasicMaterialType Type { get; set; } = BasicMaterialType.Finished;
        public bool Sellable { get; set; } = true;
        public string? Unit { get; set; }
        public decimal? RetailPrice { get; set; } = 0;
        public decimal? Cost { get; set; } = 0;
        public decimal? Weight { get; set; } = 0;
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public BasicMaterial? Existing { get; private set; }

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } m)
        {
            var c = BasicMaterialInput.From(m);
            Input = new InputModel
            {
                MaterialBn = c.MaterialBn, Name = c.Name, Barcode = c.Barcode, Type = c.Type, Sellable = c.Sellable, Unit = c.Unit,
                RetailPrice = c.RetailPrice, Cost = c.Cost, Weight = c.Weight,
            };
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!ModelState.IsValid) return Page();
        var input = new BasicMaterialInput(Existing?.MaterialBn ?? Input.MaterialBn ?? "", Input.Name ?? "")
        {
            Barcode = Input.Barcode, Type = Input.Type, Sellable = Input.Sellable, Unit = Input.Unit,
            RetailPrice = Input.RetailPrice ?? 0, Cost = Input.Cost ?? 0, Weight = Input.Weight ?? 0,
        };
        BasicMaterial? saved = null;
        if (!await TryAsync(async () => saved = Existing is null
                ? await materials.CreateAsync(input, Actor, ct)
                : await materials.UpdateAsync(input, Actor, ct)))
            return Page();
        Flash(Existing is null ? l["Materials.Created", saved!.MaterialBn] : l["Common.Saved"]);
        return Redirect("/catalog/basic-materials");
    }

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        if (id is null) return true;
        Existing = await materials.FindByIdAsync(id.Value, ct);
        return Existing is not null;
    }
}
