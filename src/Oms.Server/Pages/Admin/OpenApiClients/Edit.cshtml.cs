using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Integration.OpenApi;
using Oms.Server.Web;

namespace Oms.Server.Pages.Admin.OpenApiClients;

/// <summary>
/// Create or update an OpenAPI client through <see cref="OpenApiClientService"/>. The interface key is
/// shown once, in the answer to the creation (not via a redirect, so it is never stored in a cookie).
/// </summary>
[RequirePermission(Permissions.OpenApiManage)]
public sealed class OpenApiClientEditModel(OpenApiClientService clients, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public sealed class InputModel
    {
        public string? Flag { get; set; }
        public string? Name { get; set; }
        public string? Key { get; set; }
        public bool All { get; set; } = true;
        public List<string> Methods { get; set; } = [];
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public OpenApiClient? Existing { get; private set; }
    public string? ShownKey { get; private set; }
    public IReadOnlyList<string> KnownMethods => clients.KnownMethods;

    public async Task<IActionResult> OnGetAsync(string? flag, CancellationToken ct)
    {
        if (flag is null) return Page();
        Existing = await clients.GetAsync(flag, ct);
        if (Existing is null) return NotFound();
        Input = new InputModel
        {
            Flag = Existing.Flag,
            Name = Existing.Name,
            All = Existing.Methods.Contains("all"),
            Methods = Existing.Methods.Where(m => m != "all").ToList(),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? flag, CancellationToken ct)
    {
        if (flag is not null)
        {
            Existing = await clients.GetAsync(flag, ct);
            if (Existing is null) return NotFound();
            Input.Flag = flag;
        }
        var creating = Existing is null;
        var key = string.IsNullOrWhiteSpace(Input.Key) ? (creating ? NewKey() : null) : Input.Key.Trim();
        var methods = Input.All ? "all" : string.Join(',', Input.Methods);
        if (!Input.All && Input.Methods.Count == 0)
        {
            ModelState.AddModelError("Input.Methods", l["OpenApi.ChooseMethods"]);
            return Page();
        }
        OpenApiClient? saved = null;
        if (!await TryAsync(async () => saved = await clients.SaveAsync(Input.Flag ?? "", key, methods, Input.Name, Actor, ct)))
            return Page();
        if (creating)
        {
            ShownKey = saved!.InterfaceKey;
            Existing = saved;
            Input.Key = null;
            ModelState.Clear();
            return Page();
        }
        Flash(l["Common.Saved"]);
        return Redirect("/admin/openapi-clients");
    }

    /// <summary>A random interface key when the operator leaves the field empty: 32 characters, 190 bits.</summary>
    private static string NewKey() =>
        RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 32);
}
