using System.CommandLine;
using Oms.Orders;

namespace Oms.Server.Cli;

/// <summary><c>oms orders recount|verify-counts</c>: the order list's tab counters (order_tab_count).</summary>
internal static class OrderCommands
{
    public static Command Build()
    {
        var orders = new Command("orders", "Orders: the order list's tab counters.");

        var recount = new Command("recount", "Recount the order list's tab counters from the orders (order writes wait meanwhile).");
        recount.SetAction((_, ct) => OmsCommandLine.Guard(async () =>
        {
            await using var sp = CliServices.Build();
            await using var scope = sp.CreateAsyncScope();
            var rows = await scope.ServiceProvider.GetRequiredService<OrderTabCounts>().RebuildAsync(ct).ConfigureAwait(false);
            Console.WriteLine($"tab counters rebuilt: {rows} rows");
        }));
        orders.Subcommands.Add(recount);

        var verify = new Command("verify-counts", "Compare the tab counters with the orders; exit code 1 and one line per difference when they disagree.");
        verify.SetAction(async (_, ct) =>
        {
            var mismatches = 0;
            var code = await OmsCommandLine.Guard(async () =>
            {
                await using var sp = CliServices.Build();
                await using var scope = sp.CreateAsyncScope();
                var found = await scope.ServiceProvider.GetRequiredService<OrderTabCounts>().VerifyAsync(ct).ConfigureAwait(false);
                foreach (var m in found) await Console.Error.WriteLineAsync(m.ToString()).ConfigureAwait(false);
                mismatches = found.Count;
                Console.WriteLine(mismatches == 0 ? "tab counters agree with the orders" : $"{mismatches} differences; run `oms orders recount`");
            }).ConfigureAwait(false);
            return code != 0 ? code : mismatches == 0 ? 0 : 1;
        });
        orders.Subcommands.Add(verify);
        return orders;
    }
}
