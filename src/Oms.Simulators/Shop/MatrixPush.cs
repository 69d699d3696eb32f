namespace Oms.Simulators.Shop;

/// <summary>
/// One call a shop makes to the OMS's <c>POST /api</c>: the method and its business fields (flat
/// strings; nested structures already JSON text). <see cref="MatrixPushClient"/> adds the system
/// parameters and the signature. <see cref="Task"/> null = a fresh task id per send.
/// </summary>
public record MatrixPush(SimShop Shop, string Method, IReadOnlyDictionary<string, string> Fields)
{
    public string? Task { get; init; }
    public string OrderBn => Fields.TryGetValue("order_bn", out var bn) ? bn : "";
}

/// <summary>
/// An <c>ome.order.add</c> push with the order it renders. <see cref="Order"/> has no setter on
/// purpose: the fields are rendered once, so a changed order is a new push (<c>new OrderPush(shop, order)</c>).
/// </summary>
public sealed record OrderPush : MatrixPush
{
    public OrderPush(SimShop shop, OrderModel order)
        : base(shop, OrderFields.AddMethod, OrderFields.Render(order)) => Order = order;

    public OrderModel Order { get; }
}
