using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using Oms.Simulators.Shop;

/// <summary>
/// Order intake end to end: a real <c>oms serve</c> process (the built oms.dll next to this program) on a
/// fresh database with the demo installation, and the shop simulator's load generator pushing signed
/// <c>ome.order.add</c> orders of 3 lines at concurrency 1, 8 and 32 — orders/second answered succ (each
/// committed before its answer) with p50/p99. Beside it the machine's raw limit: single-row inserts, one
/// transaction each, at the same concurrency, on the same database.
/// </summary>
internal static class IntakeBench
{
    public sealed record Row(string Backend, int Concurrency, int Orders, double SuccPerSecond, double P50, double P99, long Failures, double RawInsertsPerSecond, double ServerCpuMsPerOrder, double GeneratorCpuMsPerOrder, double DatabaseCpuMsPerOrder);

    public static async Task<IReadOnlyList<Row>> RunAsync(string backend, int orders, IReadOnlyList<int> concurrencies)
    {
        var (dir, env) = NewInstallation("oms-intake-", backend);
        string? pgName = null;
        var pgAdmin = Environment.GetEnvironmentVariable("OMS_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=55432;Username=postgres";
        string rawConnection;
        if (backend == "postgres")
        {
            pgName = "oms_intake_" + Guid.NewGuid().ToString("N")[..8];
            await BenchPostgres.CreateAsync(pgAdmin, pgName);
            rawConnection = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgName, MaxPoolSize = 100 }.ToString();
            env["ConnectionStrings__Postgres"] = rawConnection;
            await using var s = new NpgsqlConnection(rawConnection);
            await s.OpenAsync();
            await using var show = new NpgsqlCommand("SELECT current_setting('fsync') || '/' || current_setting('synchronous_commit')", s);
            Console.WriteLine($"postgres fsync/synchronous_commit = {await show.ExecuteScalarAsync()}");
        }
        else
        {
            rawConnection = $"Data Source={Path.Combine(dir, "raw.db")}";
        }

        var results = new List<Row>();
        try
        {
            await RunOmsAsync(env, "demo", "seed");
            var port = FreePort();
            using var serve = Start(env, "serve", "--urls", $"http://127.0.0.1:{port}");
            var url = new Uri($"http://127.0.0.1:{port}");
            await WaitHealthyAsync(url, serve);
            using var client = new MatrixPushClient(url);
            // A server on a promotion day has run for hours: its hot paths are compiled at tier 1. A fresh process spends
            // its first thousands of calls JIT-compiling, which would be counted as per-order CPU and cut throughput. So the
            // server is warmed up first, untimed and not counted: OMS_BENCH_WARMUP orders (default 3,000) at concurrency 8 —
            // enough with the JIT settings `oms` ships with (no dynamic PGO, no call-counting delay); with the runtime's
            // defaults (OMS_BENCH_SERVE_ENV="DOTNET_TieredPGO=1;DOTNET_TC_CallCountingDelayMs=100") it takes ~20,000.
            var warmup = int.TryParse(Environment.GetEnvironmentVariable("OMS_BENCH_WARMUP"), out var w) ? w : 3_000;
            if (warmup > 0)
            {
                var warm = await new LoadRunner(client, SimCatalog.Demo, new LoadOptions
                {
                    Orders = warmup, Concurrency = 8, Warmup = 0, Seed = 99,
                    Generator = new OrderGeneratorOptions { Prefix = "WARM-", MinLines = 3, MaxLines = 3 },
                }).RunAsync();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"intake {backend,-8} server warm-up: {warmup} orders at c=8, {warm.SuccPerSecond:F0}/s (not counted)"));
            }
            // planner statistics, as a running server's autovacuum keeps them (BenchPostgres.AnalyzeAsync)
            if (backend == "postgres") await BenchPostgres.AnalyzeAsync(rawConnection);
            foreach (var c in concurrencies)
            {
                serve.Refresh();
                var cpuBefore = serve.TotalProcessorTime;
                var generatorBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var databaseBefore = backend == "postgres" ? await PostgresCpu.TotalAsync(rawConnection) : TimeSpan.Zero;
                var report = await new LoadRunner(client, SimCatalog.Demo, new LoadOptions
                {
                    Orders = orders, Concurrency = c, Warmup = Math.Min(300, orders / 5), Seed = c,
                    Generator = new OrderGeneratorOptions { Prefix = $"B{c}-", MinLines = 3, MaxLines = 3 },
                }).RunAsync();
                var failures = report.Requests - report.SuccAnswers;
                serve.Refresh();
                // the server's CPU (all threads) over warm-up and measured orders alike
                var cpuPerOrder = (serve.TotalProcessorTime - cpuBefore).TotalMilliseconds / (orders + Math.Min(300, orders / 5));
                // the load generator's own CPU (this process): it shares the two cores with the server and the database
                var generatorPerOrder = (Process.GetCurrentProcess().TotalProcessorTime - generatorBefore).TotalMilliseconds / (orders + Math.Min(300, orders / 5));
                // PostgreSQL's own processes (postmaster, backends, writer, WAL writer); SQLite runs inside the server
                var databasePerOrder = backend == "postgres"
                    ? ((await PostgresCpu.TotalAsync(rawConnection)) - databaseBefore).TotalMilliseconds / (orders + Math.Min(300, orders / 5))
                    : 0;
                var raw = await RawInsertsAsync(backend, rawConnection, c, Math.Max(500, orders / 2));
                results.Add(new Row(backend, c, orders, report.SuccPerSecond, report.FirstLatency.P50Ms, report.FirstLatency.P99Ms, failures, raw, cpuPerOrder, generatorPerOrder, databasePerOrder));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"intake {backend,-8} c={c,-3} orders={orders}  succ {report.SuccPerSecond,8:F0}/s  p50 {report.FirstLatency.P50Ms,7:F2} ms  p99 {report.FirstLatency.P99Ms,7:F2} ms  failures {failures}  server CPU {cpuPerOrder,5:F2} ms/order  generator CPU {generatorPerOrder,5:F2} ms/order  PostgreSQL CPU {databasePerOrder,5:F2} ms/order  raw single-row inserts {raw,8:F0}/s"));
            }
            serve.Kill();
            await serve.WaitForExitAsync();
        }
        finally
        {
            if (pgName is not null)
            {
                await BenchPostgres.DropAsync(pgAdmin, pgName);
            }
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
        return results;
    }

    /// <summary>A fresh data folder and the environment of an <c>oms</c> process on <paramref name="backend"/> (migrated on start, quiet log).</summary>
    internal static (string Dir, Dictionary<string, string> Env) NewInstallation(string prefix, string backend)
    {
        var dir = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return (dir, new Dictionary<string, string>
        {
            ["OMS_DATA_DIR"] = dir,
            ["Oms__Database__Provider"] = backend,
            ["Oms__Database__MigrateOnStart"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Oms__Admin__InitialPassword"] = "Bench-Password-1",
        });
    }

    /// <summary>N single-row inserts, each its own committed transaction, from <paramref name="concurrency"/> connections.</summary>
    private static async Task<double> RawInsertsAsync(string backend, string connection, int concurrency, int n)
    {
        var table = "raw_" + Guid.NewGuid().ToString("N")[..8];
        var sqlite = backend != "postgres";
        await ExecAsync(sqlite, connection, $"CREATE TABLE {table} (id {(sqlite ? "INTEGER PRIMARY KEY" : "bigserial PRIMARY KEY")}, worker int, payload text)");
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            if (sqlite)
            {
                await using var c = new SqliteConnection(connection);
                await c.OpenAsync();
                await using (var p = c.CreateCommand()) { p.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=60000;"; await p.ExecuteNonQueryAsync(); }
                while (Interlocked.Increment(ref next) < n)
                {
                    await using var tx = (SqliteTransaction)await c.BeginTransactionAsync();
                    await using var cmd = c.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = $"INSERT INTO {table} (worker, payload) VALUES ($w, 'order')";
                    cmd.Parameters.AddWithValue("$w", w);
                    await cmd.ExecuteNonQueryAsync();
                    await tx.CommitAsync();
                }
            }
            else
            {
                await using var c = new NpgsqlConnection(connection);
                await c.OpenAsync();
                while (Interlocked.Increment(ref next) < n)
                {
                    await using var cmd = new NpgsqlCommand($"INSERT INTO {table} (worker, payload) VALUES ($1, 'order')", c);
                    cmd.Parameters.AddWithValue(w);
                    await cmd.ExecuteNonQueryAsync();
                }
            }
        }));
        var rate = n / sw.Elapsed.TotalSeconds;
        await ExecAsync(sqlite, connection, $"DROP TABLE {table}");
        return rate;
    }

    private static async Task ExecAsync(bool sqlite, string connection, string sql)
    {
        if (sqlite)
        {
            await using var c = new SqliteConnection(connection);
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            await using var c = new NpgsqlConnection(connection);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, c);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    internal static Process Start(Dictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "oms.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        // OMS_BENCH_SERVE_ENV="K=V;K=V" reaches only the server and worker processes (profiling: DOTNET_PerfMapEnabled=1, DOTNET_JitStdOutFile=…)
        if (args is ["serve", ..] or ["worker", ..] && Environment.GetEnvironmentVariable("OMS_BENCH_SERVE_ENV") is { Length: > 0 } extra)
            foreach (var pair in extra.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new ArgumentException($"OMS_BENCH_SERVE_ENV: '{pair}' is not NAME=VALUE");
                psi.Environment[pair[..eq]] = pair[(eq + 1)..];
            }
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("oms: " + line); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    internal static async Task RunOmsAsync(Dictionary<string, string> env, params string[] args)
    {
        using var p = Start(env, args);
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"oms {string.Join(' ', args)} exited {p.ExitCode}");
    }

    internal static async Task WaitHealthyAsync(Uri url, Process serve)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300; i++)
        {
            if (serve.HasExited) throw new InvalidOperationException("oms serve exited");
            try
            {
                using var r = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (r.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("oms serve did not become healthy");
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>
/// The CPU time of a local PostgreSQL server, all its processes: the postmaster's own and its reaped children's
/// (<c>/proc/PID/stat</c> utime, stime, cutime, cstime) plus every live child's. Linux only; the bench runs here.
/// </summary>
internal static class PostgresCpu
{
    public static async Task<TimeSpan> TotalAsync(string connection)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT pg_backend_pid()", c);
        var backend = Convert.ToInt32(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        var postmaster = (int)Stat(backend)[1];
        var ticks = Stat(postmaster) is var p ? p[11] + p[12] + p[13] + p[14] : 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var st = Stat(pid);
                if (st[1] == postmaster) ticks += st[11] + st[12];
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }

    /// <summary>The numeric fields of /proc/PID/stat after the command name: [0] state (0), [1] ppid, … [11] utime, [12] stime, [13] cutime, [14] cstime.</summary>
    private static long[] Stat(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return rest.Select(f => long.TryParse(f, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0).ToArray();
    }
}
