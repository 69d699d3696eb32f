using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Channels;
using Oms.Server.Web;

namespace Oms.Server.Pages.Channels.Shops;

/// <summary>Create a shop or change one. The token is write-only: never shown, blank keeps the stored one.</summary>
[RequirePermission(Permissions.MasterDataEdit)]
public sealed class ShopEditModel(ShopService shops, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? ShopBn { get; set; }
        public string? Name { get; set; }
        public string? ShopType { get; set; }
        public string? NodeId { get; set; }
        public string? Token { get; set; }
        public bool ClearToken { get; set; }
        public string? ApiUrl { get; set; }
        public bool StockWriteback { get; set; } = true;
        public bool ShipWriteback { get; set; } = true;
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public Shop? Existing { get; private set; }

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } s)
        {
            var current = ShopInput.From(s);
            Input = new InputModel
            {
                ShopBn = current.ShopBn, Name = current.Name, ShopType = current.ShopType, NodeId = current.NodeId, ApiUrl = current.ApiUrl,
                StockWriteback = current.StockWriteback, ShipWriteback = current.ShipWriteback,
            };
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        // the token field is write-only: blank keeps the stored token, "clear" removes it
        var token = Input.ClearToken ? null : string.IsNullOrWhiteSpace(Input.Token) ? Existing?.Token : Input.Token;
        var input = new ShopInput(Existing?.ShopBn ?? Input.ShopBn ?? "", Input.Name ?? "", Input.ShopType ?? "")
        {
            NodeId = Input.NodeId, Token = token, ApiUrl = Input.ApiUrl,
            StockWriteback = Input.StockWriteback, ShipWriteback = Input.ShipWriteback,
        };
        Input.Token = null;
        Shop? saved = null;
        if (!await TryAsync(async () => saved = Existing is null
                ? await shops.CreateAsync(input, Actor, ct)
                : await shops.UpdateAsync(input, Actor, ct)))
            return Page();
        Flash(Existing is null ? l["Shops.Created", saved!.ShopBn] : l["Common.Saved"]);
        return Redirect("/channels/shops");
    }

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        if (id is null) return true;
        Existing = await shops.FindByIdAsync(id.Value, ct);
        return Existing is not null;
    }
}
