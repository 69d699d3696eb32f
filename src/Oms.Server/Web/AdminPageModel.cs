using Microsoft.AspNetCore.Mvc.RazorPages;
using Oms.Common;

namespace Oms.Server.Web;

/// <summary>
/// Base of admin pages: the acting user's name for services, and the translation of a refused
/// command (<see cref="ValidationException"/>, <see cref="DomainException"/>) into messages beside
/// the form fields. Business rules stay in the services the page calls.
/// </summary>
public abstract class AdminPageModel : PageModel
{
    /// <summary>The signed-in user, as services record it in the audit log.</summary>
    protected string? Actor => User.Identity?.Name;

    /// <summary>
    /// Runs a service call; a refusal becomes a model error on <c>{prefix}{Field}</c> (shown by
    /// <c>asp-validation-for</c>) or on the form as a whole, and false is returned.
    /// </summary>
    protected async Task<bool> TryAsync(Func<Task> command, string prefix = "Input.")
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            await command().ConfigureAwait(false);
            return true;
        }
        catch (ValidationException e)
        {
            ModelState.AddModelError(prefix + e.Field, e.Message);
        }
        catch (DomainException e)
        {
            ModelState.AddModelError("", e.Message);
        }
        return false;
    }

    /// <summary>A message shown once at the top of the next page (after a redirect).</summary>
    protected void Flash(string message) => TempData["flash"] = message;
}
