using System.CommandLine;
using System.Globalization;
using Oms.Simulators.Matrix;
using Oms.Simulators.Shop;
using Oms.Simulators.Warehouse;

namespace Oms.Simulators.Cli;

/// <summary>
/// <c>oms-sim load …</c>, <c>oms-sim matrix-recorder …</c> and <c>oms-sim wms …</c>. Invalid options: a message on stderr and
/// exit code 2; a run that could not start (e.g. a recorder port in use): exit code 1.
/// </summary>
public static class SimCommandLine
{
    public const int InvalidOptions = 2;

    /// <summary>A refusal of the options, answered with exit code 2.</summary>
    public sealed class OptionException(string message) : Exception(message);

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var root = new RootCommand("oms-sim — shop simulator, load generator and fake matrix peer for the OMS.");
        root.Subcommands.Add(LoadCommand(output, error));
        root.Subcommands.Add(RecorderCommand(output, error));
        root.Subcommands.Add(WarehouseCommand(output, error));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            await error.WriteLineAsync("see: oms-sim --help").ConfigureAwait(false);
            return InvalidOptions;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }

    private static Command LoadCommand(TextWriter output, TextWriter error)
    {
        var cmd = new Command("load", "Push generated ome.order.add orders to an OMS and report throughput and latency.");
        var url = new Option<string>("--url") { Description = "The OMS base address (POST {url}/api)", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var shops = new Option<string?>("--shops") { Description = "NODE:TOKEN[:SHOP_TYPE][,…] (default: the shops of `oms demo seed`)" };
        var materials = new Option<string?>("--materials") { Description = "BN:PRICE[:gift][,…] sales material codes (default: those of `oms demo seed`)" };
        var orders = new Option<int>("--orders") { Description = "Orders to push", DefaultValueFactory = _ => 1000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Parallel workers", DefaultValueFactory = _ => 16 };
        var rate = new Option<double>("--rate") { Description = "New orders per second at most (0 = unlimited)", DefaultValueFactory = _ => 0 };
        var lines = new Option<string>("--lines") { Description = "Object lines per order: N or MIN-MAX", DefaultValueFactory = _ => "1-5" };
        var duplicates = new Option<double>("--duplicates") { Description = "Fraction of orders re-pushed unchanged: half with the same task, half with a new one" };
        var dupTask = new Option<double?>("--duplicate-tasks") { Description = "Fraction re-pushed with the same task (overrides half of --duplicates)" };
        var dupContent = new Option<double?>("--duplicate-content") { Description = "Fraction re-pushed with a new task (overrides half of --duplicates)" };
        var updates = new Option<double>("--updates") { Description = "Fraction updated (newer modified)" };
        var cancels = new Option<double>("--cancels") { Description = "Fraction generated unpaid, then cancelled (status=dead)" };
        var warmup = new Option<int>("--warmup") { Description = "Orders pushed first and not counted" };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var prefix = new Option<string?>("--prefix") { Description = "order_bn prefix (default SIMyyMMddHHmmss-)" };
        var succFile = new Option<string?>("--succ-file") { Description = "Append every order_bn answered succ on its first push, one per line, flushed at once" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for one answer", DefaultValueFactory = _ => 60 };
        foreach (var o in new Option[] { url, shops, materials, orders, concurrency, rate, lines, duplicates, dupTask, dupContent, updates, cancels, warmup, seed, prefix, succFile, json, timeout })
            cmd.Options.Add(o);
        cmd.SetAction(async (pr, ct) =>
        {
            LoadOptions options;
            SimCatalog catalog;
            Uri baseUrl;
            try
            {
                if (!Uri.TryCreate(pr.GetValue(url), UriKind.Absolute, out baseUrl!) || (baseUrl.Scheme != "http" && baseUrl.Scheme != "https"))
                    throw new OptionException($"--url '{pr.GetValue(url)}' is not an http(s) address");
                catalog = new SimCatalog(
                    pr.GetValue(materials) is { } m ? SimCatalog.ParseItems(m) : SimCatalog.DemoItems,
                    pr.GetValue(shops) is { } s ? SimCatalog.ParseShops(s) : SimCatalog.DemoShops);
                var (minLines, maxLines) = ParseLines(pr.GetValue(lines)!);
                var dup = Fraction("--duplicates", pr.GetValue(duplicates));
                options = new LoadOptions
                {
                    Orders = AtLeast("--orders", pr.GetValue(orders), 1),
                    Concurrency = AtLeast("--concurrency", pr.GetValue(concurrency), 1),
                    Rate = pr.GetValue(rate) >= 0 ? pr.GetValue(rate) : throw new OptionException("--rate must be 0 or more"),
                    DuplicateTaskRate = Fraction("--duplicate-tasks", pr.GetValue(dupTask) ?? dup / 2),
                    DuplicateContentRate = Fraction("--duplicate-content", pr.GetValue(dupContent) ?? dup / 2),
                    UpdateRate = Fraction("--updates", pr.GetValue(updates)),
                    CancelRate = Fraction("--cancels", pr.GetValue(cancels)),
                    Warmup = AtLeast("--warmup", pr.GetValue(warmup), 0),
                    Seed = pr.GetValue(seed),
                    SuccFile = pr.GetValue(succFile),
                    Generator = new OrderGeneratorOptions
                    {
                        Prefix = pr.GetValue(prefix) ?? "SIM" + DateTime.UtcNow.AddHours(8).ToString("yyMMddHHmmss", CultureInfo.InvariantCulture) + "-",
                        MinLines = minLines,
                        MaxLines = maxLines,
                    },
                };
                AtLeast("--timeout", pr.GetValue(timeout), 1);
            }
            catch (Exception e) when (e is OptionException or FormatException or ArgumentException)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return InvalidOptions;
            }

            using var transport = new HttpMatrixTransport(baseUrl, Math.Max(64, options.Concurrency * 2), TimeSpan.FromSeconds(pr.GetValue(timeout)));
            using var client = new MatrixPushClient(transport);
            if (!pr.GetValue(json))
                await output.WriteLineAsync($"pushing {options.Orders} orders to {transport.Endpoint} with {options.Concurrency} workers…").ConfigureAwait(false);
            var report = await new LoadRunner(client, catalog, options).RunAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync(pr.GetValue(json) ? report.ToJson() : report.ToText()).ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    private static Command RecorderCommand(TextWriter output, TextWriter error)
    {
        var cmd = new Command("matrix-recorder", "Run a fake matrix peer that verifies, records and answers the OMS's outbound requests, until Ctrl-C.");
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = any free one)", DefaultValueFactory = _ => 0 };
        var tokens = new Option<string?>("--token") { Description = "NODE:TOKEN[,…]: the token each to_node_id signs with" };
        cmd.Options.Add(port);
        cmd.Options.Add(tokens);
        cmd.SetAction(async (pr, ct) =>
        {
            IReadOnlyList<SimShop> nodes;
            try
            {
                if (pr.GetValue(port) is < 0 or > 65535) throw new OptionException("--port must be between 0 and 65535");
                nodes = pr.GetValue(tokens) is { } t ? SimCatalog.ParseShops(t) : [];
            }
            catch (Exception e) when (e is OptionException or FormatException)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return InvalidOptions;
            }
            FakeMatrixRecorder recorder;
            try
            {
                recorder = await FakeMatrixRecorder.StartAsync(pr.GetValue(port), nodes.Select(n => new KeyValuePair<string, string>(n.NodeId, n.Token))).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await error.WriteLineAsync("error: cannot listen: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            await using (recorder.ConfigureAwait(false))
            {
                await output.WriteLineAsync($"matrix recorder listening on {recorder.Url} (recorded requests: GET {recorder.BaseUrl}recorded); Ctrl-C stops").ConfigureAwait(false);
                await output.FlushAsync(ct).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C
                }
                await output.WriteLineAsync($"stopped after {recorder.Requests.Count} requests").ConfigureAwait(false);
            }
            return 0;
        });
        return cmd;
    }

    private static Command WarehouseCommand(TextWriter output, TextWriter error)
    {
        var cmd = new Command("wms", "Run a virtual third-party warehouse (matrix and Qimen) that takes the OMS's orders and calls back, until Ctrl-C.");
        var listen = new Option<string>("--listen") { Description = "Where the warehouse listens (http://127.0.0.1:PORT; port 0 = any free one)", DefaultValueFactory = _ => "http://127.0.0.1:5090" };
        var oms = new Option<string>("--oms") { Description = "The OMS base address (callbacks to {oms}/api and {oms}/qimen)", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var nodeId = new Option<string>("--node-id") { Description = "The WMS channel's matrix node id" };
        var token = new Option<string>("--token") { Description = "The WMS channel's matrix token" };
        var appKey = new Option<string?>("--qimen-app-key") { Description = "Qimen app_key" };
        var secret = new Option<string?>("--qimen-secret") { Description = "Qimen secret (the Qimen side is off without it)" };
        var customer = new Option<string?>("--customer-id") { Description = "Qimen customerId" };
        var delay = new Option<int>("--delay-ms") { Description = "Wait before each status callback", DefaultValueFactory = _ => 500 };
        var fail = new Option<string[]>("--fail")
        {
            Description = "MODE[=VALUE][@ORDER_CODE_PATTERN], repeatable: refuse-create, refuse-cancel, timeout[=MS|never], duplicate, out-of-order, no-callbacks, statuses=ACCEPT,PICK,…, delay=MS",
            AllowMultipleArgumentsPerToken = false,
        };
        var statuses = new Option<string?>("--statuses") { Description = "Statuses to send (default ACCEPT,PICK,PACKAGE,DELIVERY)" };
        foreach (var o in new Option[] { listen, oms, nodeId, token, appKey, secret, customer, delay, fail, statuses })
            cmd.Options.Add(o);
        cmd.SetAction(async (pr, ct) =>
        {
            VirtualWarehouseOptions options;
            Uri listenUri;
            try
            {
                if (!Uri.TryCreate(pr.GetValue(listen), UriKind.Absolute, out listenUri!) || listenUri.Scheme != "http")
                    throw new OptionException($"--listen '{pr.GetValue(listen)}' is not an http address");
                if (!Uri.TryCreate(pr.GetValue(oms), UriKind.Absolute, out var omsUri) || (omsUri.Scheme != "http" && omsUri.Scheme != "https"))
                    throw new OptionException($"--oms '{pr.GetValue(oms)}' is not an http(s) address");
                var node = pr.GetValue(nodeId) ?? "";
                var tok = pr.GetValue(token) ?? "";
                var qimenSecret = pr.GetValue(secret) ?? "";
                if ((node.Length == 0 || tok.Length == 0) && qimenSecret.Length == 0)
                    throw new OptionException("give --node-id and --token (matrix), or --qimen-app-key and --qimen-secret (Qimen), or both");
                var basis = new WarehouseBehavior();
                if (pr.GetValue(statuses) is { } st) basis = basis with { Statuses = WarehouseBehavior.ParseStatuses(st) };
                var (behavior, rules) = WarehouseRule.ParseFailModes(pr.GetValue(fail) ?? [], basis);
                options = new VirtualWarehouseOptions
                {
                    OmsUrl = omsUri,
                    NodeId = node,
                    Token = tok,
                    QimenAppKey = pr.GetValue(appKey) ?? "",
                    QimenSecret = qimenSecret,
                    QimenCustomerId = pr.GetValue(customer) ?? "",
                    Delay = TimeSpan.FromMilliseconds(AtLeast("--delay-ms", pr.GetValue(delay), 0)),
                    Behavior = behavior,
                    Rules = rules,
                };
            }
            catch (Exception e) when (e is OptionException or FormatException)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return InvalidOptions;
            }
            VirtualWarehouse warehouse;
            try
            {
                warehouse = await VirtualWarehouse.StartAsync(options, listenUri.Port, listenUri.Host).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await error.WriteLineAsync("error: cannot listen: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            await using (warehouse.ConfigureAwait(false))
            {
                await output.WriteLineAsync($"virtual warehouse listening: matrix {warehouse.MatrixUrl}, Qimen {warehouse.QimenUrl}; callbacks to {options.OmsUrl}; "
                                            + $"recorded: GET {warehouse.BaseUrl}recorded, orders: GET {warehouse.BaseUrl}orders; Ctrl-C stops").ConfigureAwait(false);
                await output.FlushAsync(ct).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C
                }
                await output.WriteLineAsync($"stopped after {warehouse.Received.Count} requests and {warehouse.Sent.Count} callbacks").ConfigureAwait(false);
            }
            return 0;
        });
        return cmd;
    }

    private static (int Min, int Max) ParseLines(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var max)
            && min >= 1 && max >= min && max <= 50)
            return (min, max);
        throw new OptionException($"--lines '{text}': expected N or MIN-MAX with 1 ≤ MIN ≤ MAX ≤ 50");
    }

    private static double Fraction(string name, double v) =>
        v is >= 0 and <= 1 ? v : throw new OptionException($"{name} must be a fraction between 0 and 1, got {v.ToString(CultureInfo.InvariantCulture)}");

    private static int AtLeast(string name, int v, int min) =>
        v >= min ? v : throw new OptionException($"{name} must be at least {min.ToString(CultureInfo.InvariantCulture)}");
}
