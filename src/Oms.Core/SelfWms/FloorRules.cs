using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Catalog;
using Oms.Common;
using Oms.Data;
using Oms.Deliveries;
using Oms.Orders;
using Oms.Warehouses;

namespace Oms.SelfWms;

/// <summary>The three printable documents, with their wire names and <see cref="PrintStatus"/> bits.</summary>
public enum PrintDoc
{
    /// <summary>备货单 pick list (bit 1), wire name <c>stock</c>.</summary>
    Stock = 1,
    /// <summary>发货单 delivery note (bit 2), wire name <c>delivery</c>.</summary>
    Delivery = 2,
    /// <summary>快递单 express waybill (bit 4), wire name <c>express</c>.</summary>
    Express = 4,
}

public static class PrintDocs
{
    public static readonly IReadOnlyList<PrintDoc> All = [PrintDoc.Stock, PrintDoc.Delivery, PrintDoc.Express];

    /// <summary>The wire name (<c>stock</c>, <c>delivery</c>, <c>express</c>), from <see cref="Deliveries.PrintDocuments"/>.</summary>
    public static string Name(this PrintDoc doc) => Entry(doc).Code;

    public static string ChineseName(this PrintDoc doc) => Entry(doc).Name;

    public static PrintStatus Bit(this PrintDoc doc) => (PrintStatus)(int)doc;

    private static (string Code, PrintStatus Bit, string Name) Entry(PrintDoc doc) =>
        Deliveries.PrintDocuments.All.FirstOrDefault(d => d.Bit == doc.Bit()) is { Code: not null } e ? e : throw new ArgumentOutOfRangeException(nameof(doc));

    public static PrintDoc? Parse(string? text) => All.Select(d => (PrintDoc?)d).FirstOrDefault(d => d!.Value.Name() == text?.Trim().ToLowerInvariant());

    /// <summary>The bits of a <c>print.required</c> value (<c>stock,delivery,express</c>; empty = none).</summary>
    public static PrintStatus Mask(string? required) => Deliveries.PrintDocuments.Parse(required);

    /// <summary>Chinese names of the documents in <paramref name="mask"/>, e.g. "备货单、快递单".</summary>
    public static string Names(PrintStatus mask) => Deliveries.PrintDocuments.Names(mask);
}

/// <summary>The floor settings (PROTOCOL.md §6) read once per command.</summary>
public sealed record FloorSettings(PrintStatus PrintRequired, bool VerifyRequired)
{
    public const string PrintRequiredKey = "print.required";
    public const string VerifyRequiredKey = "verify.required";

    public static async Task<FloorSettings> ReadAsync(SettingsService settings, CancellationToken ct) =>
        new(PrintDocs.Mask(await settings.GetTextAsync(PrintRequiredKey, ct).ConfigureAwait(false)),
            await settings.GetBoolAsync(VerifyRequiredKey, ct).ConfigureAwait(false));

    /// <summary>Everything <c>print.required</c> asks for is printed (always true when it is empty).</summary>
    public bool PrintedEnough(PrintStatus printed) => (printed & PrintRequired) == PrintRequired;
}

/// <summary>A delivery line with the barcode of its basic material (what the scanner reads).</summary>
public sealed record ScanLine(long ItemId, long MaterialId, string Bn, string? Name, string? Barcode, int Number, int VerifyNum)
{
    public bool Done => VerifyNum >= Number;

    /// <summary>The material's barcode (<c>material_code</c>) or, always accepted too, its bn.</summary>
    public bool Matches(string code) =>
        (!string.IsNullOrEmpty(Barcode) && string.Equals(Barcode, code, StringComparison.Ordinal)) || string.Equals(Bn, code, StringComparison.Ordinal);
}

/// <summary>
/// The floor's common steps: find a delivery by the number on the parcel, lock it (through its orders, the lock that
/// serializes every change of a delivery: review, revoke, consign), check that the own warehouse may work on it.
/// </summary>
internal static class FloorDeliveries
{
    /// <summary>By delivery_bn, else by waybill number (logi_no) — open deliveries first, then the newest.</summary>
    public static async Task<Delivery?> FindAsync(OmsDbContext db, string code, CancellationToken ct)
    {
        var c = code.Trim();
        if (c.Length == 0) return null;
        return await db.Set<Delivery>().AsNoTracking().FirstOrDefaultAsync(d => d.DeliveryBn == c, ct).ConfigureAwait(false)
               ?? await db.Set<Delivery>().AsNoTracking().Where(d => d.LogiNo == c)
                   .OrderBy(d => d.Status == DeliveryStatus.Ready || d.Status == DeliveryStatus.Pause ? 0 : 1).ThenByDescending(d => d.Id)
                   .FirstOrDefaultAsync(ct).ConfigureAwait(false);
    }

    public static async Task<Delivery> FindOrThrowAsync(OmsDbContext db, string code, CancellationToken ct) =>
        await FindAsync(db, code, ct).ConfigureAwait(false) ?? throw new DomainException($"没有发货单号或运单号为 {code.Trim()} 的发货单");

    /// <summary>
    /// Locks the delivery's orders (ascending id; <see cref="OrderLocks"/>) in the caller's transaction, then reads the
    /// delivery again, tracked, with its items. Refused when it does not exist.
    /// </summary>
    public static async Task<Delivery> LockAsync(OmsDbContext db, long deliveryId, CancellationToken ct)
    {
        await DeliveryLocks.LockOrdersOfAsync(db, deliveryId, ct).ConfigureAwait(false);
        DeliveryLocks.Forget(db, deliveryId);
        foreach (var e in db.ChangeTracker.Entries<DeliveryItem>().Where(e => e.Entity.DeliveryId == deliveryId).ToList()) e.State = EntityState.Detached;
        return await db.Set<Delivery>().Include(d => d.Items).FirstOrDefaultAsync(d => d.Id == deliveryId, ct).ConfigureAwait(false)
               ?? throw new DomainException($"发货单 #{deliveryId} 不存在");
    }

    /// <summary>Only open deliveries of the own warehouse are printed, verified and shipped here.</summary>
    public static async Task CheckWorkableAsync(OmsDbContext db, Delivery d, string what, CancellationToken ct)
    {
        switch (d.Status)
        {
            case DeliveryStatus.Cancel: throw new DomainException($"发货单 {d.DeliveryBn} 已撤销，不能{what}");
            case DeliveryStatus.Pause: throw new DomainException($"发货单 {d.DeliveryBn} 已暂停，不能{what}");
            case DeliveryStatus.Shipped: throw new DomainException($"发货单 {d.DeliveryBn} 已发货，不能{what}");
        }
        var wms = await db.Set<Branch>().AsNoTracking().Where(b => b.Id == d.BranchId).Select(b => b.Wms).FirstAsync(ct).ConfigureAwait(false);
        if (wms != Branch.SelfWms) throw new DomainException($"发货单 {d.DeliveryBn} 属于第三方仓储，不能在自有仓储{what}");
    }

    /// <summary>The delivery's lines with their materials' barcodes, in line order.</summary>
    public static Task<List<ScanLine>> LinesAsync(OmsDbContext db, long deliveryId, CancellationToken ct) =>
        db.Set<DeliveryItem>().AsNoTracking().Where(i => i.DeliveryId == deliveryId).OrderBy(i => i.Id)
            .Join(db.Set<BasicMaterial>(), i => i.BasicMaterialId, m => m.Id,
                (i, m) => new ScanLine(i.Id, i.BasicMaterialId, i.Bn, i.Name, m.Barcode, i.Number, i.VerifyNum))
            .ToListAsync(ct);

    public static async Task<T> InTransactionAsync<T>(OmsDbContext db, Func<Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return await work().ConfigureAwait(false);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            try
            {
                var result = await work().ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return result;
            }
            catch
            {
                db.ChangeTracker.Clear();
                throw;
            }
        }).ConfigureAwait(false);
    }
}
