namespace Oms.Warehouses;

/// <summary>仓库 — a warehouse, run on this OMS's own floor (selfwms) or by a third-party WMS.</summary>
public class Branch
{
    public const string SelfWms = "selfwms";

    public long Id { get; set; }
    public required string BranchBn { get; set; }
    public required string Name { get; set; }
    /// <summary><see cref="SelfWms"/> or the <c>channel_bn</c> of a third-party WMS channel.</summary>
    public string Wms { get; set; } = SelfWms;
    /// <summary>Only online branches feed shop stock.</summary>
    public bool Online { get; set; } = true;
    public BranchType Type { get; set; } = BranchType.Delivery;
    /// <summary>Province the branch is in.</summary>
    public string? Area { get; set; }
    public string? Address { get; set; }
    /// <summary>Allocation weight: higher is preferred by automatic branch choice.</summary>
    public int Weight { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<BranchShop> Shops { get; set; } = [];

    public bool IsThirdParty => Wms != SelfWms;
}

public enum BranchType
{
    /// <summary>发货仓 — ships orders.</summary>
    Delivery = 1,
    /// <summary>备货仓 — holds stock, never ships orders.</summary>
    StockUp = 2,
}

/// <summary>A shop a branch supplies.</summary>
public class BranchShop
{
    public long BranchId { get; set; }
    public long ShopId { get; set; }
}
