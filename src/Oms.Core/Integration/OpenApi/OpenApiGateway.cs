using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oms.Common;
using Oms.Data;

namespace Oms.Integration.OpenApi;

/// <summary>
/// The <c>/openapi</c> pipeline of PROTOCOL.md §5, independent of HTTP: system parameters,
/// signature, time window, replay, method, permission, then the method itself in one
/// transaction. An error answer leaves no business data written.
/// </summary>
public sealed partial class OpenApiGateway(
    IServiceProvider services, OmsDbContext db, TimeProvider clock, ILogger<OpenApiGateway> logger)
{
    public static readonly TimeSpan TimestampWindow = TimeSpan.FromSeconds(3600);
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromHours(1);
    private static readonly string[] SystemParams = ["method", "flag", "timestamp", "sign"];
    private static long _lastReplayCleanupTicks;

    /// <summary>Returns the payload on success; throws <see cref="OpenApiException"/> otherwise.</summary>
    public async Task<object?> HandleAsync(IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        var missing = SystemParams.Where(p => !form.TryGetValue(p, out var v) || string.IsNullOrWhiteSpace(v)).ToList();
        if (missing.Count > 0) throw OpenApiException.MissingSystemParams(string.Join(",", missing));

        var flag = form["flag"].Trim();
        var client = await db.Set<OpenApiClient>().AsNoTracking().FirstOrDefaultAsync(c => c.Flag == flag, ct).ConfigureAwait(false);
        if (client is null || client.Disabled) throw OpenApiException.SignError($"unknown or disabled flag '{flag}'");
        var expected = MatrixSignature.Sign(form.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), client.InterfaceKey);
        var sign = form["sign"].Trim();
        if (!MatrixSignature.Matches(sign, expected)) throw OpenApiException.SignError("signature does not match");

        var now = clock.GetUtcNow().UtcDateTime;
        if (!ChinaTime.TryParse(form["timestamp"], out var ts) || (ts - now).Duration() > TimestampWindow)
            throw OpenApiException.TimestampOutOfWindow();

        await RememberOrRefuseAsync(flag, sign.ToUpperInvariant(), now, ct).ConfigureAwait(false);

        var methodName = form["method"].Trim();
        var method = services.GetRequiredService<NamedMethods<IOpenApiMethod>>().Find(services, methodName)
                     ?? throw OpenApiException.UnknownMethod(methodName);
        if (!client.MayCall(methodName)) throw OpenApiException.NoPermission(methodName);

        var request = new OpenApiRequest(methodName, client, form);
        try
        {
            if (method.ReadOnly) return await method.InvokeAsync(request, ct).ConfigureAwait(false);
            var strategy = db.Database.CreateExecutionStrategy();
            return await strategy.ExecuteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                var result = await method.InvokeAsync(request, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return result;
            }).ConfigureAwait(false);
        }
        catch (ValidationException e)
        {
            db.ChangeTracker.Clear();
            throw OpenApiException.Params(e.Field, e.Message);
        }
        catch (DomainException e)
        {
            db.ChangeTracker.Clear();
            throw OpenApiException.Business(e.Message);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            db.ChangeTracker.Clear();
            LogConflict(logger, methodName, e);
            throw OpenApiException.Business("a record with the same code already exists");
        }
    }

    /// <summary>
    /// Remembers a signature that passed the check, in its own small transaction; a second
    /// arrival (even a concurrent one) hits the primary key and is a replay.
    /// </summary>
    private async Task RememberOrRefuseAsync(string flag, string sign, DateTime now, CancellationToken ct)
    {
        var cutoff = now - ReplayWindow;
        var seen = await db.Set<OpenApiSeenRequest>().AsNoTracking()
            .AnyAsync(s => s.Flag == flag && s.Sign == sign && s.SeenAt >= cutoff, ct).ConfigureAwait(false);
        if (seen) throw OpenApiException.Repeated();

        // An old row with the same key is past the window: it no longer counts.
        await db.Set<OpenApiSeenRequest>().Where(s => s.Flag == flag && s.Sign == sign).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        db.Add(new OpenApiSeenRequest { Flag = flag, Sign = sign, SeenAt = now });
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            throw OpenApiException.Repeated();
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        var last = Interlocked.Read(ref _lastReplayCleanupTicks);
        if (now.Ticks - last > TimeSpan.TicksPerMinute * 10 && Interlocked.CompareExchange(ref _lastReplayCleanupTicks, now.Ticks, last) == last)
            await db.Set<OpenApiSeenRequest>().Where(s => s.SeenAt < cutoff).ExecuteDeleteAsync(ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenAPI {Method} refused: unique key conflict")]
    private static partial void LogConflict(ILogger logger, string method, Exception e);
}
