using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Oms.Admin;
using Oms.Common;
using Oms.Server.Web;

namespace Oms.Server.Pages.Admin;

/// <summary>Every key of <see cref="SettingsRegistry"/>; saving goes through <see cref="SettingsService.SetAsync"/>.</summary>
[RequirePermission(Permissions.SettingsEdit)]
public sealed class SettingsModel(SettingsService settings, IStringLocalizer<SharedResource> l) : AdminPageModel
{
    public IReadOnlyList<(SettingDefinition Definition, string Value, bool IsDefault)> Rows { get; private set; } = [];
    public string? SavedKey { get; private set; }
    public string? FailedKey { get; private set; }
    public string? FailedValue { get; private set; }
    public string? Error { get; private set; }

    /// <summary>The registry's description is Chinese; the English one comes from the resources.</summary>
    public string Describe(SettingDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var en = l["Setting." + d.Key];
        return Display.IsEnglish && !en.ResourceNotFound ? en.Value : d.Description;
    }

    public async Task OnGetAsync(CancellationToken ct) => Rows = await settings.ListAsync(ct);

    public async Task<IActionResult> OnPostAsync(string key, string? value, CancellationToken ct)
    {
        try
        {
            await settings.SetAsync(key ?? "", value, Actor, ct);
            SavedKey = key;
        }
        catch (ValidationException e)
        {
            FailedKey = key;
            FailedValue = value;
            Error = e.Message;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        if (SavedKey is not null && !Request.Headers.ContainsKey("HX-Request"))
        {
            Flash(l["Settings.SavedFlash", key!]);
            return Redirect("/admin/settings");
        }
        Rows = await settings.ListAsync(ct);
        return Page();
    }
}
