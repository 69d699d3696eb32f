namespace Oms.Warehouses;

/// <summary>物流公司 as set up for one branch: where it reaches, what it carries, how much it is preferred.</summary>
public class LogisticsCompany
{
    public long Id { get; set; }
    public long BranchId { get; set; }
    /// <summary>Carrier code: SF, ZTO, YTO, STO, YUNDA, EMS, JD, ...</summary>
    public required string Code { get; set; }
    public required string Name { get; set; }
    /// <summary>Provinces it reaches; empty = everywhere.</summary>
    public List<string> Areas { get; set; } = [];
    /// <summary>Priority: higher is preferred.</summary>
    public int Priority { get; set; }
    /// <summary>Heaviest parcel accepted, in kilograms; null = no limit.</summary>
    public decimal? MaxWeight { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool Reaches(string? province) =>
        Areas.Count == 0 || (province is not null && Areas.Any(a => Oms.Regions.ChinaRegions.SameProvince(a, province)));

    public bool Accepts(decimal weightKg) => MaxWeight is null || weightKg <= MaxWeight.Value;
}
