using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Catalog;
using Oms.Data;
using Oms.Deliveries;
using Oms.Integration.OpenApi;
using Oms.Warehouses;

namespace Oms.SelfWms;

/// <summary>The handheld terminals' common reads: a delivery by <c>delivery_bn</c> or <c>logi_no</c>, and its answer row.</summary>
internal static class Pda
{
    public static async Task<Delivery> DeliveryAsync(OmsDbContext db, OpenApiRequest r, bool logiNoToo, CancellationToken ct)
    {
        if (r.Optional("delivery_bn") is { } bn)
            return await db.Set<Delivery>().AsNoTracking().FirstOrDefaultAsync(d => d.DeliveryBn == bn, ct).ConfigureAwait(false)
                   ?? throw OpenApiException.Params("delivery_bn", $"no delivery '{bn}'");
        if (logiNoToo && r.Optional("logi_no") is { } no)
            return await FloorDeliveries.FindAsync(db, no, ct).ConfigureAwait(false) is { } d && d.LogiNo == no
                ? d : throw OpenApiException.Params("logi_no", $"no delivery with waybill '{no}'");
        throw OpenApiException.Params("delivery_bn", logiNoToo ? "delivery_bn or logi_no is required" : "is required");
    }

    public static object Items(IEnumerable<ScanLine> lines) =>
        lines.Select(l => new { bn = l.Bn, barcode = l.Barcode ?? "", name = l.Name ?? "", number = l.Number, verify_num = l.VerifyNum }).ToList();

    public static object Row(Delivery d, IEnumerable<ScanLine> lines) => new
    {
        delivery_bn = d.DeliveryBn,
        logi_code = d.LogiCode ?? "",
        logi_no = d.LogiNo ?? "",
        status = DeliveryWireNames.Status(d.Status),
        process_status = d.ProcessStatus,
        print_status = (int)d.PrintStatus,
        items = Items(lines),
    };
}

/// <summary>
/// <c>pda_delivery.getList</c>: the own-warehouse deliveries a handheld works on, oldest first, paged
/// (<c>page_no</c>, <c>page_size</c> ≤ 100). <c>branch_bn</c> (optional); <c>status</c> = <c>to_print</c>,
/// <c>to_verify</c>, <c>to_ship</c> (floor states) or a delivery status (<c>ready</c> default, <c>pause</c>,
/// <c>cancel</c>, <c>shipped</c>).
/// </summary>
internal sealed class PdaDeliveryGetList(OmsDbContext db, FloorQuery floorQuery, SettingsService settings) : IOpenApiMethod
{
    public string Name => "pda_delivery.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        long? branchId = null;
        if (request.Optional("branch_bn") is { } branchBn)
            branchId = await db.Set<Branch>().AsNoTracking().Where(b => b.BranchBn == branchBn).Select(b => (long?)b.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false)
                       ?? throw OpenApiException.Params("branch_bn", $"no branch '{branchBn}'");
        var status = request.Optional("status") ?? "ready";
        var floor = await FloorSettings.ReadAsync(settings, ct).ConfigureAwait(false);
        IQueryable<Delivery> q = status switch
        {
            "to_print" => floorQuery.Of(FloorState.ToPrint, floor, branchId),
            "to_verify" => floorQuery.Of(FloorState.ToVerify, floor, branchId),
            "to_ship" => floorQuery.Of(FloorState.ToShip, floor, branchId),
            _ => DeliveryWireNames.ParseStatus(status) is { } s
                ? db.Set<Delivery>().AsNoTracking().Where(d => d.Status == s && db.Set<Branch>().Any(b => b.Id == d.BranchId && b.Wms == Branch.SelfWms)
                                                               && (branchId == null || d.BranchId == branchId))
                : throw OpenApiException.Params("status", $"'{status}' is not to_print, to_verify, to_ship, ready, pause, cancel or shipped"),
        };
        var count = await q.LongCountAsync(ct).ConfigureAwait(false);
        var page = await q.OrderBy(d => d.Id).Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct).ConfigureAwait(false);
        var ids = page.Select(d => d.Id).ToList();
        var lines = (await db.Set<DeliveryItem>().AsNoTracking().Where(i => ids.Contains(i.DeliveryId)).OrderBy(i => i.Id)
            .Join(db.Set<BasicMaterial>(), i => i.BasicMaterialId, m => m.Id,
                (i, m) => new { i.DeliveryId, Line = new ScanLine(i.Id, i.BasicMaterialId, i.Bn, i.Name, m.Barcode, i.Number, i.VerifyNum) })
            .ToListAsync(ct).ConfigureAwait(false)).ToLookup(x => x.DeliveryId, x => x.Line);
        var codes = await db.Set<PrintBatchItem>().AsNoTracking().Where(x => ids.Contains(x.DeliveryId)).ToDictionaryAsync(x => x.DeliveryId, x => x.Code, ct).ConfigureAwait(false);
        return new OpenApiList<object>(page.Select(d => (object)new
        {
            delivery_bn = d.DeliveryBn,
            batch_code = codes.GetValueOrDefault(d.Id, ""),
            logi_code = d.LogiCode ?? "",
            logi_name = d.LogiName ?? "",
            logi_no = d.LogiNo ?? "",
            status = DeliveryWireNames.Status(d.Status),
            process_status = d.ProcessStatus,
            print_status = (int)d.PrintStatus,
            ship_name = d.ShipName ?? "",
            ship_area = string.Join(" ", new[] { d.ShipProvince, d.ShipCity, d.ShipDistrict }.Where(x => !string.IsNullOrEmpty(x))),
            ship_addr = d.ShipAddr ?? "",
            item_num = d.ItemNum,
            items = Pda.Items(lines[d.Id]),
        }).ToList(), count);
    }
}

/// <summary><c>pda_delivery.print</c>: <c>delivery_bn</c>, <c>doc</c> (stock, delivery, express) marks that document printed; <c>logi_no</c> with express.</summary>
internal sealed class PdaDeliveryPrint(OmsDbContext db, PrintService print) : IOpenApiMethod
{
    public string Name => "pda_delivery.print";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var d = await Pda.DeliveryAsync(db, request, logiNoToo: false, ct).ConfigureAwait(false);
        var docText = request.Required("doc");
        var doc = PrintDocs.Parse(docText) ?? throw OpenApiException.Params("doc", $"'{docText}' is not stock, delivery or express");
        var logiNo = request.OptionalText("logi_no", 64);
        if (logiNo is not null && doc != PrintDoc.Express) throw OpenApiException.Params("logi_no", "only with doc=express");
        var outcome = await print.PrintAsync([d.Id], doc, request.Actor, logiNo is null ? null : new Dictionary<long, string> { [d.Id] = logiNo }, ct).ConfigureAwait(false);
        var p = outcome.Printed[0];
        return new { delivery_bn = p.DeliveryBn, logi_no = p.LogiNo ?? "", print_status = (int)p.PrintStatus, process_status = p.ProcessStatus };
    }
}

/// <summary>
/// <c>pda_delivery.check</c>: <c>delivery_bn</c> or <c>logi_no</c>, then <c>barcodes</c> (<c>barcode:num;barcode:num</c>)
/// or <c>all=true</c> (整单校验). Answers each line's <c>verify_num</c>/<c>number</c>; a wrong barcode is e000006 naming it.
/// </summary>
internal sealed class PdaDeliveryCheck(OmsDbContext db, VerifyService verify) : IOpenApiMethod
{
    public string Name => "pda_delivery.check";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var d = await Pda.DeliveryAsync(db, request, logiNoToo: true, ct).ConfigureAwait(false);
        var all = request.OptionalBool("all") ?? false;
        var text = request.Optional("barcodes");
        VerifyState state;
        if (all)
        {
            if (text is not null) throw OpenApiException.Params("barcodes", "not with all=true");
            state = await verify.VerifyAllAsync(d.Id, request.Actor, ct).ConfigureAwait(false);
        }
        else
        {
            if (text is null) throw OpenApiException.Params("barcodes", "barcodes or all=true is required");
            state = await verify.ScanAsync(d.Id, ParseBarcodes(text), request.Actor, ct).ConfigureAwait(false);
        }
        return new
        {
            delivery_bn = state.Delivery.DeliveryBn,
            process_status = state.Delivery.ProcessStatus,
            verified = state.Complete,
            items = Pda.Items(state.Lines),
        };
    }

    /// <summary><c>barcode:num;barcode:num</c> (<c>:num</c> may be left out for 1).</summary>
    public static List<(string Barcode, int Num)> ParseBarcodes(string text)
    {
        var list = new List<(string, int)>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            var code = (colon < 0 ? part : part[..colon]).Trim();
            var num = 1;
            if (colon >= 0 && (!int.TryParse(part[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out num) || num <= 0 || num > 100_000))
                throw OpenApiException.Params("barcodes", $"'{part}' is not barcode:number");
            if (code.Length == 0) throw OpenApiException.Params("barcodes", $"'{part}' has no barcode");
            list.Add((code, num));
        }
        if (list.Count == 0) throw OpenApiException.Params("barcodes", "is empty");
        return list;
    }
}

/// <summary>
/// <c>pda_delivery.consign</c>: <c>delivery_bn</c>, <c>logi_no</c> (required unless the delivery has one), <c>weight</c> (kg)
/// → <see cref="Fulfillment.ConsignService"/> with source Floor.
/// </summary>
internal sealed class PdaDeliveryConsign(OmsDbContext db, FloorConsign consign) : IOpenApiMethod
{
    public string Name => "pda_delivery.consign";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var d = await Pda.DeliveryAsync(db, request, logiNoToo: false, ct).ConfigureAwait(false);
        var logiNo = request.OptionalText("logi_no", 64);
        if (logiNo is null && string.IsNullOrWhiteSpace(d.LogiNo)) throw OpenApiException.Params("logi_no", "is required: the delivery has no waybill number yet");
        var weight = request.OptionalMoney("weight");
        var r = await consign.ConsignAsync(d.Id, logiNo, weight, request.Actor, ct).ConfigureAwait(false);
        return new
        {
            delivery_bn = r.Delivery.DeliveryBn,
            logi_no = r.Delivery.LogiNo ?? "",
            status = DeliveryWireNames.Status(r.Delivery.Status),
            process_status = r.Delivery.ProcessStatus,
            weight = Common.Money.ToText(r.Delivery.Weight),
        };
    }
}
