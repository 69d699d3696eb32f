using System.Linq.Expressions;

namespace Oms.Orders;

/// <summary>
/// What makes orders mergeable into one delivery (合单, DOMAIN.md §3 step 7): the same shop, the same member (the shop's
/// buyer: <c>member_info.uname</c>, else <c>buyer_id</c>) and the same address (consignee name, mobile, province, city,
/// district, address). Compared exactly, after trimming.
/// </summary>
public sealed record OrderMergeKey(long ShopId, string Member, string Name, string Mobile, string Province, string City, string District, string Addr)
{
    public static OrderMergeKey Of(Order o) => Of(o.ShopId, o.MemberUname, o.BuyerId, o.ShipName, o.ShipMobile, o.ShipProvince, o.ShipCity,
        o.ShipDistrict, o.ShipAddr);

    /// <summary>The key of an order's fields as stored (for a projection that reads only these).</summary>
    public static OrderMergeKey Of(long shopId, string? memberUname, string? buyerId, string? shipName, string? shipMobile, string? shipProvince,
        string? shipCity, string? shipDistrict, string? shipAddr) =>
        new(shopId, MemberOf(memberUname, buyerId), T(shipName), T(shipMobile), T(shipProvince), T(shipCity), T(shipDistrict), T(shipAddr));

    /// <summary>The member key: uname, else buyer id, else empty (an order without a member merges with nothing).</summary>
    public static string MemberOf(string? uname, string? buyerId) =>
        !string.IsNullOrWhiteSpace(uname) ? uname.Trim() : T(buyerId);

    /// <summary>True when the order has a member at all; orders without one are never merged.</summary>
    public bool HasMember => Member.Length > 0;

    /// <summary>
    /// A superset of the orders of the same shop and member (any address) — the SQL side of a candidate search; compare
    /// <see cref="Of"/> in memory for the exact answer.
    /// </summary>
    public Expression<Func<Order, bool>> SameMember()
    {
        var shopId = ShopId;
        var member = Member;
        return o => o.ShopId == shopId && (o.MemberUname == member || o.BuyerId == member);
    }

    private static string T(string? s) => s?.Trim() ?? "";
}
