using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Common;
using Oms.Data;

namespace Oms.Integration.OpenApi;

/// <summary>Creates and changes OpenAPI clients (CLI and admin page).</summary>
public sealed class OpenApiClientService(OmsDbContext db, AuditLog audit, TimeProvider clock, IEnumerable<IOpenApiMethod> methods)
{
    /// <summary>Every method name the OpenAPI answers, sorted.</summary>
    public IReadOnlyList<string> KnownMethods { get; } = methods.Select(m => m.Name).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Adds a client or updates the one with the same flag. <paramref name="methodList"/>: <c>all</c> or names.
    /// An empty <paramref name="key"/> keeps an existing client's key (the admin page never shows it again).
    /// </summary>
    public async Task<OpenApiClient> SaveAsync(string flag, string? key, string methodList, string? name, string? actor, CancellationToken ct)
    {
        flag = (flag ?? "").Trim();
        key = (key ?? "").Trim();
        if (flag.Length is 0 or > 64 || !flag.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw new ValidationException("flag", "The flag must be 1–64 letters, digits, '_', '-' or '.'.");
        var list = ParseMethods(methodList);

        var client = await db.Set<OpenApiClient>().FirstOrDefaultAsync(c => c.Flag == flag, ct).ConfigureAwait(false);
        if (key.Length == 0 && client is not null) key = client.InterfaceKey;
        if (key.Length is < 8 or > 128)
            throw new ValidationException("key", "The interface key must be 8–128 characters long.");
        if (client is null)
        {
            client = new OpenApiClient { Flag = flag, InterfaceKey = key, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.Add(client);
        }
        client.InterfaceKey = key;
        client.Methods = list;
        client.Name = string.IsNullOrWhiteSpace(name) ? client.Name : name.Trim();
        audit.Record("openapi.client.save", $"openapi_client:{flag}", "methods: " + string.Join(",", list), actor);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return client;
    }

    /// <summary>Clients, newest first, with keyset paging.</summary>
    public Task<KeysetPage<OpenApiClient>> ListAsync(long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default) =>
        db.Set<OpenApiClient>().AsNoTracking().ToKeysetPageAsync(c => c.Id, before, pageSize, ct);

    public Task<OpenApiClient?> GetAsync(string flag, CancellationToken ct = default) =>
        db.Set<OpenApiClient>().AsNoTracking().FirstOrDefaultAsync(c => c.Flag == flag, ct);

    public Task<int> CountAsync(CancellationToken ct = default) => db.Set<OpenApiClient>().CountAsync(ct);

    public async Task SetDisabledAsync(string flag, bool disabled, string? actor, CancellationToken ct)
    {
        var client = await db.Set<OpenApiClient>().FirstOrDefaultAsync(c => c.Flag == flag, ct).ConfigureAwait(false)
                     ?? throw new DomainException($"OpenAPI client '{flag}' does not exist.");
        client.Disabled = disabled;
        audit.Record(disabled ? "openapi.client.disable" : "openapi.client.enable", $"openapi_client:{flag}", null, actor);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private List<string> ParseMethods(string? methodList)
    {
        var parts = (methodList ?? "all").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts.Contains("all")) return ["all"];
        foreach (var p in parts)
            if (!KnownMethods.Contains(p))
                throw new ValidationException("methods", $"Unknown OpenAPI method '{p}'. Known: {string.Join(", ", KnownMethods)}.");
        return parts.Distinct().ToList();
    }
}
