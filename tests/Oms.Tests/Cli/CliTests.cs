using Oms.Data;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Cli;

/// <summary>The operator commands of PROTOCOL.md §6, run as the real executable.</summary>
public abstract class CliTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private Dictionary<string, string> _env = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _env = new()
        {
            ["OMS_DATA_DIR"] = _db.DataDirectory,
            ["Oms__Database__Provider"] = provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings__Postgres"] = provider == DatabaseProvider.Postgres ? _db.Options.ConnectionString : "",
        };
        var (code, _, err) = await OmsProcess.RunAsync(_env, "migrate");
        Assert.True(code == 0, err);
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Settings_set_and_get_round_trip_with_typed_values()
    {
        Assert.Equal("10", (await OmsProcess.RunAsync(_env, "settings", "get", "order.buffer_minutes")).Stdout.Trim());
        var set = await OmsProcess.RunAsync(_env, "settings", "set", "order.buffer_minutes", "3");
        Assert.Equal(0, set.ExitCode);
        Assert.Equal("3", (await OmsProcess.RunAsync(_env, "settings", "get", "order.buffer_minutes")).Stdout.Trim());
        Assert.Equal(0, (await OmsProcess.RunAsync(_env, "settings", "set", "review.auto_enabled", "TRUE")).ExitCode);
        Assert.Equal("true", (await OmsProcess.RunAsync(_env, "settings", "get", "review.auto_enabled")).Stdout.Trim());
    }

    [Fact]
    public async Task Settings_refuse_unknown_keys_and_wrong_types_and_change_nothing()
    {
        var unknown = await OmsProcess.RunAsync(_env, "settings", "set", "no.such.key", "1");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("Unknown setting", unknown.Stderr, StringComparison.Ordinal);

        var wrong = await OmsProcess.RunAsync(_env, "settings", "set", "order.buffer_minutes", "soon");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("order.buffer_minutes", wrong.Stderr, StringComparison.Ordinal);
        Assert.Equal("10", (await OmsProcess.RunAsync(_env, "settings", "get", "order.buffer_minutes")).Stdout.Trim());

        var badBool = await OmsProcess.RunAsync(_env, "settings", "set", "verify.required", "maybe");
        Assert.NotEqual(0, badBool.ExitCode);
    }

    [Fact]
    public async Task Openapi_add_client_refuses_unknown_methods_and_short_keys()
    {
        var bad = await OmsProcess.RunAsync(_env, "openapi", "add-client", "--flag", "erp", "--key", "k-0123456789", "--methods", "no.method");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("no.method", bad.Stderr, StringComparison.Ordinal);
        var shortKey = await OmsProcess.RunAsync(_env, "openapi", "add-client", "--flag", "erp", "--key", "k1");
        Assert.NotEqual(0, shortKey.ExitCode);
        var ok = await OmsProcess.RunAsync(_env, "openapi", "add-client", "--flag", "erp", "--key", "k-0123456789", "--methods", "shop.getList");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("shop.getList", ok.Stdout, StringComparison.Ordinal);
    }
}

public sealed class SqliteCliTests() : CliTests(DatabaseProvider.Sqlite);

public sealed class PostgresCliTests() : CliTests(DatabaseProvider.Postgres);
