using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Warehouses;
using ZXing;
using ZXing.Common;

namespace Oms.SelfWms;

/// <summary>A line of a printed delivery.</summary>
public sealed record PrintLine(string Bn, string? Name, string? Barcode, int Number);

/// <summary>A line of the pick list (备货单): one material over the whole batch, and where it goes (positions).</summary>
public sealed record PickLine(string Bn, string? Name, string? Barcode, int Number, string Positions);

/// <summary>One delivery as the documents print it.</summary>
public sealed record PrintedDelivery(
    long Id, string Code, int Position, string DeliveryBn, string Status, string? LogiCode, string? LogiName, string? LogiNo,
    string ShopName, IReadOnlyList<string> OrderBns, string? ShipName, string? ShipMobile, string? ShipTel, string ShipArea, string? ShipAddr,
    string? ShipZip, bool IsCod, decimal TotalAmount, decimal Weight, int ItemNum, string? Memo, IReadOnlyList<PrintLine> Lines);

/// <summary>The data of one document for one batch: what the HTML layouts and the print control (JSON) show.</summary>
public sealed record PrintSheet(string BatchNo, PrintDoc Doc, PrintMode Mode, string BranchBn, string BranchName, DateTime PrintedAt,
    IReadOnlyList<PrintedDelivery> Deliveries, IReadOnlyList<PickLine> PickList)
{
    /// <summary>The shape sent to a print control: snake_case, times in China time.</summary>
    public object ToJson() => new
    {
        batch_no = BatchNo,
        doc = Doc.Name(),
        mode = Mode.ToString().ToLowerInvariant(),
        branch_bn = BranchBn,
        branch_name = BranchName,
        print_time = ChinaTime.ToText(PrintedAt),
        pick_list = PickList.Select(p => new { bn = p.Bn, name = p.Name ?? "", barcode = p.Barcode ?? "", number = p.Number, positions = p.Positions }),
        deliveries = Deliveries.Select(d => new
        {
            code = d.Code, position = d.Position, delivery_bn = d.DeliveryBn, status = d.Status,
            logi_code = d.LogiCode ?? "", logi_name = d.LogiName ?? "", logi_no = d.LogiNo ?? "", shop_name = d.ShopName, order_bns = d.OrderBns,
            consignee = new { name = d.ShipName ?? "", mobile = d.ShipMobile ?? "", telephone = d.ShipTel ?? "", area = d.ShipArea, addr = d.ShipAddr ?? "", zip = d.ShipZip ?? "" },
            is_cod = d.IsCod, total_amount = Money.ToText(d.TotalAmount), weight = Money.ToText(d.Weight), item_num = d.ItemNum, memo = d.Memo ?? "",
            items = d.Lines.Select(l => new { bn = l.Bn, name = l.Name ?? "", barcode = l.Barcode ?? "", number = l.Number }),
        }),
    };
}

/// <summary>Reads what the documents of a batch print (read-only; marking them printed is <see cref="PrintService"/>'s).</summary>
public sealed class PrintSheets(OmsDbContext db, TimeProvider clock)
{
    public async Task<PrintSheet> SheetAsync(long batchId, PrintDoc doc, CancellationToken ct = default)
    {
        var batch = await db.Set<PrintBatch>().AsNoTracking().Include(b => b.Items).FirstOrDefaultAsync(b => b.Id == batchId, ct).ConfigureAwait(false)
                    ?? throw new DomainException($"打印批次 #{batchId} 不存在");
        var branch = await db.Set<Branch>().AsNoTracking().FirstAsync(b => b.Id == batch.BranchId, ct).ConfigureAwait(false);
        var ids = batch.Items.Select(i => i.DeliveryId).ToList();
        var deliveries = await db.Set<Delivery>().AsNoTracking().Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct).ConfigureAwait(false);
        var lines = (await db.Set<DeliveryItem>().AsNoTracking().Where(i => ids.Contains(i.DeliveryId)).OrderBy(i => i.Id)
            .Join(db.Set<BasicMaterial>(), i => i.BasicMaterialId, m => m.Id, (i, m) => new { i.DeliveryId, i.Bn, i.Name, m.Barcode, i.Number })
            .ToListAsync(ct).ConfigureAwait(false)).ToLookup(x => x.DeliveryId);
        var orders = (await db.Set<DeliveryOrderItem>().AsNoTracking().Where(x => ids.Contains(x.DeliveryId))
            .Join(db.Set<Order>(), x => x.OrderId, o => o.Id, (x, o) => new { x.DeliveryId, o.OrderBn }).Distinct()
            .ToListAsync(ct).ConfigureAwait(false)).ToLookup(x => x.DeliveryId, x => x.OrderBn);
        var shopIds = deliveries.Values.Select(d => d.ShopId).Distinct().ToList();
        var shops = await db.Set<Shop>().AsNoTracking().Where(s => shopIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct).ConfigureAwait(false);

        var printed = batch.Items.OrderBy(i => i.Position).Select(i =>
        {
            var d = deliveries[i.DeliveryId];
            return new PrintedDelivery(d.Id, i.Code, i.Position, d.DeliveryBn, DeliveryWireNames.Status(d.Status), d.LogiCode, d.LogiName, d.LogiNo,
                shops.GetValueOrDefault(d.ShopId, ""), orders[d.Id].Order(StringComparer.Ordinal).ToList(), d.ShipName, d.ShipMobile, d.ShipTel,
                string.Join(" ", new[] { d.ShipProvince, d.ShipCity, d.ShipDistrict }.Where(s => !string.IsNullOrEmpty(s))), d.ShipAddr, d.ShipZip,
                d.IsCod, d.TotalAmount, d.Weight, d.ItemNum, d.Memo,
                lines[d.Id].Select(l => new PrintLine(l.Bn, l.Name, l.Barcode, l.Number)).ToList());
        }).ToList();
        // cancelled deliveries are not picked
        var pick = printed.Where(d => d.Status != "cancel")
            .SelectMany(d => d.Lines.Select(l => (d.Position, Line: l)))
            .GroupBy(x => x.Line.Bn, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new PickLine(g.Key, g.First().Line.Name, g.First().Line.Barcode, g.Sum(x => x.Line.Number),
                string.Join(",", g.Select(x => x.Line.Number == 1
                    ? x.Position.ToString("D2", CultureInfo.InvariantCulture)
                    : string.Create(CultureInfo.InvariantCulture, $"{x.Position:D2}×{x.Line.Number}")))))
            .ToList();
        return new PrintSheet(batch.BatchNo, doc, batch.Mode, branch.BranchBn, branch.Name, clock.GetUtcNow().UtcDateTime, printed, pick);
    }
}

/// <summary>Code 128 barcodes as inline SVG (ZXing.Net's SVG renderer: no System.Drawing).</summary>
public static class Barcodes
{
    public static string Svg(string? text, int width = 240, int height = 48)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var writer = new BarcodeWriterSvg
        {
            Format = BarcodeFormat.CODE_128,
            Options = new EncodingOptions { Width = width, Height = height, Margin = 0, PureBarcode = true },
        };
        var svg = writer.Write(text.Trim()).Content;
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start > 0 ? svg[start..] : svg;
    }
}
