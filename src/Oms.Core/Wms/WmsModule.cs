using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Oms.Catalog;
using Oms.Data;
using Oms.Deliveries;
using Oms.Integration.Matrix;
using Oms.Integration.Qimen;
using Oms.Outbox;
using Oms.Tasks;

namespace Oms.Wms;

/// <summary>
/// Materials to every WMS channel: matrix <c>store.wms.item.add</c> for a new basic material, <c>store.wms.item.update</c>
/// for a changed one; Qimen <c>singleitem.synchronize</c> (<c>actionType</c> add/update); written with the material.
/// Channels whose adapter is not implemented, or matrix channels without node id and token, are left out.
/// </summary>
internal sealed class WmsMaterialSync(OmsDbContext db, WmsAdapterRegistry adapters) : IBasicMaterialListener
{
    public async Task OnSavingAsync(BasicMaterial material, bool created, CancellationToken ct)
    {
        var channels = await db.Set<WmsChannel>().AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct).ConfigureAwait(false);
        foreach (var c in channels)
            if (adapters.Find(c.Adapter) is { } adapter && (c.Adapter != WmsAdapterNames.Matrix || WmsPeer.Of(c) is not null))
                adapter.PushItem(db, c, material, created);
    }
}

public static class WmsModule
{
    public static IServiceCollection AddWms(this IServiceCollection services)
    {
        services.AddScoped<WmsChannelService>();
        services.AddScoped<WmsDeliveryService>();
        services.AddScoped<WmsQuery>();
        services.AddScoped<WmsAdapterRegistry>();
        services.AddScoped<IWmsAdapter, MatrixWmsAdapter>();
        services.AddScoped<IWmsAdapter, QimenWmsAdapter>();
        services.AddSingleton(sp => new QimenClient(clock: sp.GetService<TimeProvider>()));
        services.AddOutboxSender<QimenSendHandler>(QimenSendHandler.Type);
        services.AddOutboxOutcome<QimenWmsOutcomes>(QimenMethods.DeliveryOrderCreate, QimenMethods.OrderCancel, QimenMethods.DeliveryOrderQuery);
        services.AddScoped<QimenWmsServer>();
        services.AddScoped<IThirdPartyWarehouse, WmsDeliveryHook>();
        services.AddScoped<IBasicMaterialListener, WmsMaterialSync>();
        services.AddScoped<IMatrixNodeResolver, WmsNodeResolver>();
        services.AddScoped<IMatrixPeerResolver, WmsPeerResolver>();
        services.AddOutboxOutcome<MatrixWmsOutcomes>(WmsMethods.SaleOrderCreate, WmsMethods.SaleOrderCancel, WmsMethods.SaleOrderGet);
        services.AddTimer<WmsPollHandler>(WmsPollHandler.TimerName, "*/5 * * * *");
        return services;
    }
}
