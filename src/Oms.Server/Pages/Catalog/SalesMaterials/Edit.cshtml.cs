using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Catalog;
using Oms.Channels;
using Oms.Server.Web;

namespace Oms.Server.Pages.Catalog.SalesMaterials;

/// <summary>
/// Create a sales material or change one, with its bindings editor (rows of basic material code,
/// quantity and — for combinations and lucky bags — price share). The rules are the service's
/// (<see cref="BindInfo.Normalize"/>); a refusal of <c>bind_info</c> shows under the editor.
/// </summary>
[RequirePermission(Permissions.MasterDataEdit)]
public sealed class SalesMaterialEditModel(SalesMaterialService materials, ShopService shops, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class PartInput
    {
        public string? Bn { get; set; }
        public int? Quantity { get; set; }
        public decimal? Share { get; set; }
    }

    public sealed class InputModel
    {
        public string? SalesMaterialBn { get; set; }
        public string? Name { get; set; }
        public SalesMaterialType Type { get; set; } = SalesMaterialType.Normal;
        public decimal? RetailPrice { get; set; } = 0;
        public string? ShopBn { get; set; }
        public List<PartInput> Bindings { get; set; } = [];
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public SalesMaterial? Existing { get; private set; }
    public IReadOnlyList<ShopOption> AllShops { get; private set; } = [];

    /// <summary>The rows the editor shows: the bindings, or one empty row to start from.</summary>
    public IReadOnlyList<PartInput> Rows => Input.Bindings.Count > 0 ? Input.Bindings : [new PartInput { Quantity = 1 }];

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } m)
        {
            var c = SalesMaterialInput.From(m, await materials.BindingsAsync(m.Id, ct), await materials.ShopBnAsync(m.ShopId, ct));
            Input = new InputModel
            {
                SalesMaterialBn = c.SalesMaterialBn, Name = c.Name, Type = c.Type, RetailPrice = c.RetailPrice, ShopBn = c.ShopBn,
                Bindings = c.Bindings.Select(b => new PartInput { Bn = b.Bn, Quantity = b.Quantity, Share = b.PriceShare }).ToList(),
            };
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        // rows left empty are not parts; the share column is only offered for the types that take shares
        Input.Bindings = Input.Bindings.Where(b => !string.IsNullOrWhiteSpace(b.Bn)).ToList();
        if (!ModelState.IsValid) return Page();
        var shares = CatalogLabels.TakesShares(Input.Type);
        var parts = Input.Bindings.Select(b => new BindingPart(b.Bn!.Trim(), b.Quantity ?? 1, shares ? b.Share : null)).ToList();
        var input = new SalesMaterialInput(Existing?.SalesMaterialBn ?? Input.SalesMaterialBn ?? "", Input.Name ?? "", Input.Type, parts)
        {
            RetailPrice = Input.RetailPrice ?? 0, ShopBn = Input.ShopBn,
        };
        SalesMaterial? saved = null;
        if (!await TryAsync(async () => saved = Existing is null
                ? await materials.CreateAsync(input, Actor, ct)
                : await materials.UpdateAsync(input, Actor, ct)))
            return Page();
        Flash(Existing is null ? l["SalesMaterials.Created", saved!.SalesMaterialBn] : l["Common.Saved"]);
        return Redirect("/catalog/sales-materials");
    }

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        AllShops = await shops.OptionsAsync(ct);
        if (id is null) return true;
        Existing = await materials.FindByIdAsync(id.Value, ct);
        return Existing is not null;
    }
}
