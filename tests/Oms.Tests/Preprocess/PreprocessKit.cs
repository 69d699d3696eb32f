using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Channels;
using Oms.Data;
using Oms.Orders;
using Oms.Preprocess;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Preprocess;

/// <summary>Runs the preprocess chain and the gift rule service in transactions of their own, as the integrator will.</summary>
internal static class PreprocessKit
{
    public static async Task<PreprocessRunResult> RunAsync(ServerFixture server, long orderId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync();
        var r = await scope.ServiceProvider.GetRequiredService<PreprocessChain>().RunAsync(orderId, "test");
        await tx.CommitAsync();
        return r;
    }

    public static async Task<CrmGiftRule> RuleAsync(ServerFixture server, CrmGiftRuleInput input)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CrmGiftService>().CreateAsync(input, "test");
    }

    public static async Task<CrmGiftRule> FindRuleAsync(ServerFixture server, long id)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<CrmGiftService>().FindAsync(id))!;
    }

    public static async Task<string> ShopBnAsync(ServerFixture server, long shopId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OmsDbContext>().Set<Shop>().Where(s => s.Id == shopId).Select(s => s.ShopBn).FirstAsync();
    }

    public static async Task<PreprocessFact> FactAsync(ServerFixture server, long orderId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<PreprocessFacts>().ForAsync([orderId]))[orderId];
    }

    public static async Task<InvoiceRequest?> InvoiceAsync(ServerFixture server, long orderId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PreprocessFacts>().InvoiceAsync(orderId);
    }

    public static async Task<GiftPreview> PreviewAsync(ServerFixture server, string orderRef)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CrmGiftService>().PreviewAsync(orderRef);
    }

    public static async Task SetPluginAsync(ServerFixture server, string code, bool enabled, int position)
    {
        await using var scope = server.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PreprocessChain>().SetPluginAsync(code, enabled, position, "test");
    }

    /// <summary>Live CRM gift objects of an order, as (code, quantity, rule).</summary>
    public static List<(string Bn, int Quantity, long? Rule)> CrmLines(Order o) =>
        o.Objects.Where(x => !x.Deleted && x.Source == OrderLineSources.CrmGift).OrderBy(x => x.Position).Select(x => (x.Bn, x.Quantity, x.GiftRuleId)).ToList();
}
