using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Catalog;
using Oms.Server.Web;

namespace Oms.Server.Pages.Catalog.Suppliers;

/// <summary>Create a supplier or change one (the code stays).</summary>
[RequirePermission(Permissions.MasterDataEdit)]
public sealed class SupplierEditModel(SupplierService suppliers, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? SupplierBn { get; set; }
        public string? Name { get; set; }
        public string? Contact { get; set; }
        public string? Phone { get; set; }
        public string? Address { get; set; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public Supplier? Existing { get; private set; }

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } s)
        {
            var c = SupplierInput.From(s);
            Input = new InputModel { SupplierBn = c.SupplierBn, Name = c.Name, Contact = c.Contact, Phone = c.Phone, Address = c.Address };
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var input = new SupplierInput(Existing?.SupplierBn ?? Input.SupplierBn ?? "", Input.Name ?? "")
        {
            Contact = Input.Contact, Phone = Input.Phone, Address = Input.Address,
        };
        Supplier? saved = null;
        if (!await TryAsync(async () => saved = Existing is null
                ? await suppliers.CreateAsync(input, Actor, ct)
                : await suppliers.UpdateAsync(input, Actor, ct)))
            return Page();
        Flash(Existing is null ? l["Suppliers.Created", saved!.SupplierBn] : l["Common.Saved"]);
        return Redirect("/catalog/suppliers");
    }

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        if (id is null) return true;
        Existing = await suppliers.FindByIdAsync(id.Value, ct);
        return Existing is not null;
    }
}
