using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Admin;
using Oms.Data;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.MasterData;

/// <summary>Short helpers for master-data tests through <c>/openapi</c>.</summary>
internal static class MasterDataApi
{
    /// <summary>A code no other test of the shared fixture uses.</summary>
    public static string NewCode(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    public static Dictionary<string, string> P(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    public static Dictionary<string, string> With(this Dictionary<string, string> p, string key, string? value)
    {
        var copy = new Dictionary<string, string>(p, StringComparer.Ordinal);
        if (value is null) copy.Remove(key);
        else copy[key] = value;
        return copy;
    }

    public static async Task<long> CountAsync(this OpenApiTestClient api, string listMethod, Dictionary<string, string>? filter = null) =>
        (await api.CallAsync(listMethod, filter)).GetProperty("count").GetInt64();

    /// <summary>The one row a list answers for a filter (fails when there is not exactly one).</summary>
    public static async Task<JsonElement> OnlyRowAsync(this OpenApiTestClient api, string listMethod, string filterKey, string filterValue)
    {
        var answer = await api.CallAsync(listMethod, P((filterKey, filterValue)));
        Assert.Equal(1, answer.GetProperty("count").GetInt64());
        return Assert.Single(answer.GetProperty("lists").EnumerateArray().ToList());
    }

    /// <summary>
    /// Calls <paramref name="method"/> expecting <paramref name="code"/> with a sub_msg that starts with
    /// <paramref name="subMsgStart"/> (e000006: the field), and checks the list of
    /// <paramref name="listMethod"/> did not grow: nothing was written.
    /// </summary>
    public static async Task<string> AssertRefusedAsync(this OpenApiTestClient api, string method, Dictionary<string, string> p,
        string code, string subMsgStart, string listMethod)
    {
        var before = await api.CountAsync(listMethod);
        var (actual, subMsg) = await api.CallErrorAsync(method, p);
        Assert.True(actual == code, $"{method} answered {actual} ({subMsg}), expected {code}");
        Assert.StartsWith(subMsgStart, subMsg, StringComparison.Ordinal);
        Assert.Equal(before, await api.CountAsync(listMethod));
        return subMsg;
    }

    public static async Task<List<AuditEntry>> AuditAsync(this ServerFixture server, string target)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        return await db.Set<AuditEntry>().AsNoTracking().Where(a => a.Target == target).OrderBy(a => a.Id).ToListAsync();
    }

    public static List<string> Strings(this JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
