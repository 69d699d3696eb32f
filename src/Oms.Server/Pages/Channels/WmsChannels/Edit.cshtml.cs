using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Server.Web;
using Oms.Wms;

namespace Oms.Server.Pages.Channels.WmsChannels;

/// <summary>Create a WMS channel or change one. Token and secret are write-only: never shown, blank keeps the stored one.</summary>
[RequirePermission(Permissions.MasterDataEdit)]
public sealed class WmsChannelEditModel(WmsChannelService channels, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? ChannelBn { get; set; }
        public string? Name { get; set; }
        public string? Adapter { get; set; } = WmsAdapterNames.Matrix;
        public string? NodeId { get; set; }
        public string? Token { get; set; }
        public string? NodeType { get; set; }
        public string? AppKey { get; set; }
        public string? Secret { get; set; }
        public string? CustomerId { get; set; }
        public string? ApiUrl { get; set; }
        public bool Poll { get; set; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public WmsChannel? Existing { get; private set; }

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Existing is { } c)
            Input = new InputModel
            {
                ChannelBn = c.ChannelBn, Name = c.Name, Adapter = c.Adapter, NodeId = c.NodeId, NodeType = c.NodeType, AppKey = c.AppKey,
                CustomerId = c.CustomerId, ApiUrl = c.ApiUrl, Poll = c.Poll,
            };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var input = new WmsChannelInput(Existing?.ChannelBn ?? Input.ChannelBn ?? "", Input.Name ?? "")
        {
            Adapter = Input.Adapter ?? WmsAdapterNames.Matrix, NodeId = Input.NodeId, NodeType = Input.NodeType, AppKey = Input.AppKey,
            CustomerId = Input.CustomerId, ApiUrl = Input.ApiUrl, Poll = Input.Poll,
            // blank keeps the stored secret (update); on create blank is blank
            Token = string.IsNullOrWhiteSpace(Input.Token) ? null : Input.Token,
            Secret = string.IsNullOrWhiteSpace(Input.Secret) ? null : Input.Secret,
        };
        Input.Token = null;
        Input.Secret = null;
        WmsChannel? saved = null;
        if (!await TryAsync(async () => saved = Existing is null
                ? await channels.CreateAsync(input, Actor, ct)
                : await channels.UpdateAsync(input, Actor, ct)))
            return Page();
        Flash(Existing is null ? l["WmsChannels.Created", saved!.ChannelBn] : l["Common.Saved"]);
        return Redirect("/channels/wms-channels");
    }

    private async Task<bool> LoadAsync(long? id, CancellationToken ct)
    {
        if (id is null) return true;
        Existing = await channels.FindByIdAsync(id.Value, ct);
        return Existing is not null;
    }
}
