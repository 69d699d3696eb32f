using Microsoft.Extensions.DependencyInjection;
using Oms.Data;
using Oms.Orders;

namespace Oms.Tests.Orders;

/// <summary>
/// Test data for order lists, screens and queries: writes order rows straight into the database.
/// It does not freeze stock and does not match materials (objects are stored as given), so tests
/// that check inventory invariants push orders through <c>/api</c> instead.
/// </summary>
public sealed class OrderBuilder(long shopId, string orderBn)
{
    private readonly Order _order = new()
    {
        ShopId = shopId,
        OrderBn = orderBn,
        ShipName = "张三",
        ShipProvince = "浙江省",
        ShipCity = "杭州市",
        ShipDistrict = "西湖区",
        ShipAddr = "文三路 1 号",
        ShipMobile = "13800000000",
        MemberUname = "buyer-" + orderBn,
        CreateTime = DateTime.UtcNow,
        PlatformModified = DateTime.UtcNow,
        ArrivedAt = DateTime.UtcNow,
        UpdatedAt = DateTime.UtcNow,
    };

    private readonly List<(string Bn, long? SalesMaterialId, long? BasicMaterialId, int Quantity, decimal Price)> _lines = [];

    public OrderBuilder With(Action<Order> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        change(_order);
        return this;
    }

    public OrderBuilder Paid(decimal amount = 100m)
    {
        _order.PayStatus = PayStatus.Paid;
        _order.Payed = amount;
        _order.TotalAmount = amount;
        _order.PaidAt = _order.ArrivedAt;
        return this;
    }

    /// <summary>A line: an object with <paramref name="bn"/>; with a basic material id it also gets one item.</summary>
    public OrderBuilder Line(string bn, int quantity = 1, decimal price = 10m, long? salesMaterialId = null, long? basicMaterialId = null)
    {
        _lines.Add((bn, salesMaterialId, basicMaterialId, quantity, price));
        return this;
    }

    public async Task<Order> SaveAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsDbContext>();
        _order.CostItem = _lines.Sum(l => l.Price * l.Quantity);
        if (_order.TotalAmount == 0) _order.TotalAmount = _order.CostItem;
        db.Add(_order);
        await db.SaveChangesAsync();
        var position = 0;
        foreach (var l in _lines)
        {
            var obj = new OrderObject
            {
                OrderId = _order.Id, Bn = l.Bn, Name = l.Bn, ObjType = "goods", SalesMaterialId = l.SalesMaterialId,
                Quantity = l.Quantity, Price = l.Price, Amount = l.Price * l.Quantity, SalePrice = l.Price * l.Quantity, Position = position++,
            };
            db.Add(obj);
            await db.SaveChangesAsync();
            if (l.BasicMaterialId is { } basic)
                db.Add(new OrderItem
                {
                    OrderId = _order.Id, ObjectId = obj.Id, BasicMaterialId = basic, Bn = l.Bn, Name = l.Bn, ItemType = "product",
                    Quantity = l.Quantity, Price = l.Price, Amount = l.Price * l.Quantity,
                });
        }
        await db.SaveChangesAsync();
        return _order;
    }
}
