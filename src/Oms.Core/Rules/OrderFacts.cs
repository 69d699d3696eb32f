using Microsoft.EntityFrameworkCore;
using Oms.Catalog;
using Oms.Channels;
using Oms.Data;
using Oms.Orders;

namespace Oms.Rules;

/// <summary>A basic-material line of an order as the rule filters read it (deleted lines left out).</summary>
public sealed record OrderFactsItem(long BasicMaterialId, string Bn, int Quantity, decimal UnitWeight);

/// <summary>
/// What the rule filters (规则筛选器), the order-group and branch-rule matchers and the auto review read of an
/// order: header fields, the shop's id and platform, the live items (basic material, code, quantity, the material's
/// weight in kg) and the live objects' codes (sales material codes as sent). A detached snapshot: matching runs in
/// memory. Build many with <see cref="OrderFactsLoader.LoadAsync"/> (a few queries per batch), or one from entities
/// already held with <see cref="From(Order, string, IReadOnlyDictionary{long, decimal})"/>.
/// </summary>
public sealed record OrderFacts
{
    public required long OrderId { get; init; }
    public required string OrderBn { get; init; }
    public required long ShopId { get; init; }
    /// <summary>The shop's platform (<c>shop_type</c>).</summary>
    public required string ShopType { get; init; }
    public OrderStatus Status { get; init; }
    public PayStatus PayStatus { get; init; }
    public ProcessStatus ProcessStatus { get; init; }
    public bool IsFail { get; init; }
    public bool IsCod { get; init; }
    public bool Pause { get; init; }
    public bool Abnormal { get; init; }
    public bool IsTax { get; init; }
    public decimal TotalAmount { get; init; }
    /// <summary>The order's own weight (kg) as the shop sent it; 0 when not sent.</summary>
    public decimal OrderWeight { get; init; }
    public string? ShipProvince { get; init; }
    public string? ShipCity { get; init; }
    public string? ShipDistrict { get; init; }
    public string? MemberUname { get; init; }
    public string? BuyerId { get; init; }
    /// <summary>买家留言.</summary>
    public string? CustomMark { get; init; }
    /// <summary>卖家备注.</summary>
    public string? MarkText { get; init; }
    public string? MarkType { get; init; }
    public DateTime CreateTime { get; init; }
    public DateTime ArrivedAt { get; init; }
    public DateTime? PaidAt { get; init; }
    /// <summary>审单小组 the order is dispatched to (orders.group_id).</summary>
    public long? ConfirmGroupId { get; init; }
    public long? OpId { get; init; }
    public long AutoStatus { get; init; }
    public IReadOnlyList<OrderFactsItem> Items { get; init; } = [];
    /// <summary>Codes (<c>bn</c>) of the live objects: sales material codes as sent.</summary>
    public IReadOnlyList<string> ObjectCodes { get; init; } = [];

    /// <summary>Distinct basic materials (商品种类数).</summary>
    public int SkuKinds => Items.Select(i => i.BasicMaterialId).Distinct().Count();

    /// <summary>Σ item quantities (商品总数量).</summary>
    public int ItemCount => Items.Sum(i => i.Quantity);

    /// <summary>Weight in kg: the order's own when &gt; 0, else Σ quantity × the material's weight.</summary>
    public decimal Weight => OrderWeight > 0 ? OrderWeight : Items.Sum(i => i.Quantity * i.UnitWeight);

    /// <summary>
    /// Facts of an order held as an entity with its <see cref="Order.Items"/> and <see cref="Order.Objects"/> loaded;
    /// <paramref name="materialWeights"/> = basic material id → weight (kg); a missing material weighs 0.
    /// </summary>
    public static OrderFacts From(Order order, string shopType, IReadOnlyDictionary<long, decimal> materialWeights)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(materialWeights);
        return Head(order, shopType) with
        {
            Items = order.Items.Where(i => !i.Deleted)
                .Select(i => new OrderFactsItem(i.BasicMaterialId, i.Bn, i.Quantity, materialWeights.GetValueOrDefault(i.BasicMaterialId)))
                .ToList(),
            ObjectCodes = order.Objects.Where(o => !o.Deleted).Select(o => o.Bn).ToList(),
        };
    }

    internal static OrderFacts Head(Order o, string shopType) => new()
    {
        OrderId = o.Id, OrderBn = o.OrderBn, ShopId = o.ShopId, ShopType = shopType, Status = o.Status, PayStatus = o.PayStatus,
        ProcessStatus = o.ProcessStatus, IsFail = o.IsFail, IsCod = o.IsCod, Pause = o.Pause, Abnormal = o.Abnormal, IsTax = o.IsTax,
        TotalAmount = o.TotalAmount, OrderWeight = o.Weight, ShipProvince = o.ShipProvince, ShipCity = o.ShipCity,
        ShipDistrict = o.ShipDistrict, MemberUname = o.MemberUname, BuyerId = o.BuyerId, CustomMark = o.CustomMark,
        MarkText = o.MarkText, MarkType = o.MarkType, CreateTime = o.CreateTime, ArrivedAt = o.ArrivedAt, PaidAt = o.PaidAt,
        ConfirmGroupId = o.GroupId, OpId = o.OpId, AutoStatus = o.AutoStatus,
    };
}

/// <summary>Loads <see cref="OrderFacts"/> for a batch of orders: per chunk of ids one query for the heads (with the shop's
/// platform), one for the live items with their materials' weights, one for the live objects' codes.</summary>
public sealed class OrderFactsLoader(OmsDbContext db)
{
    private const int Chunk = 500;

    /// <summary>Facts of the orders that exist among <paramref name="orderIds"/>, in the order of the ids given (unknown ids left out).</summary>
    public async Task<IReadOnlyList<OrderFacts>> LoadAsync(IReadOnlyCollection<long> orderIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        var ids = orderIds.Distinct().ToList();
        var byId = new Dictionary<long, OrderFacts>(ids.Count);
        foreach (var chunk in ids.Chunk(Chunk))
        {
            var heads = await db.Set<Order>().AsNoTracking().Where(o => chunk.Contains(o.Id))
                .Join(db.Set<Shop>(), o => o.ShopId, s => s.Id, (o, s) => new { Order = o, s.ShopType })
                .ToListAsync(ct).ConfigureAwait(false);
            var items = await db.Set<OrderItem>().AsNoTracking().Where(i => chunk.Contains(i.OrderId) && !i.Deleted)
                .GroupJoin(db.Set<BasicMaterial>(), i => i.BasicMaterialId, m => m.Id, (i, ms) => new { i, ms })
                .SelectMany(x => x.ms.DefaultIfEmpty(), (x, m) => new { x.i.OrderId, x.i.Id, x.i.BasicMaterialId, x.i.Bn, x.i.Quantity, Weight = m == null ? 0m : m.Weight })
                .ToListAsync(ct).ConfigureAwait(false);
            var objects = await db.Set<OrderObject>().AsNoTracking().Where(x => chunk.Contains(x.OrderId) && !x.Deleted)
                .Select(x => new { x.OrderId, x.Id, x.Bn })
                .ToListAsync(ct).ConfigureAwait(false);
            var itemsOf = items.OrderBy(i => i.Id).ToLookup(i => i.OrderId);
            var objectsOf = objects.OrderBy(o => o.Id).ToLookup(o => o.OrderId);
            foreach (var h in heads)
                byId[h.Order.Id] = OrderFacts.Head(h.Order, h.ShopType) with
                {
                    Items = itemsOf[h.Order.Id].Select(i => new OrderFactsItem(i.BasicMaterialId, i.Bn, i.Quantity, i.Weight)).ToList(),
                    ObjectCodes = objectsOf[h.Order.Id].Select(o => o.Bn).ToList(),
                };
        }
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>The facts of one order, or null when it does not exist.</summary>
    public async Task<OrderFacts?> LoadOneAsync(long orderId, CancellationToken ct = default) =>
        (await LoadAsync([orderId], ct).ConfigureAwait(false)).FirstOrDefault();
}
