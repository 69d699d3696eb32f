using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Regions;

namespace Oms.Warehouses;

/// <summary>What a branch's logistics company is created or updated from (admin form or <c>logistics.add</c>/<c>logistics.update</c>).</summary>
public sealed record LogisticsInput(string BranchBn, string Code, string Name)
{
    /// <summary>Provinces it reaches, any spelling <see cref="ChinaRegions.Normalize"/> accepts; empty = everywhere.</summary>
    public IReadOnlyList<string> Areas { get; init; } = [];
    /// <summary>Higher is preferred (the OpenAPI's <c>weight</c>).</summary>
    public int Priority { get; init; }
    /// <summary>Heaviest parcel in kg; null = no limit.</summary>
    public decimal? MaxWeight { get; init; }

    public static LogisticsInput From(LogisticsCompany company, string branchBn)
    {
        ArgumentNullException.ThrowIfNull(company);
        return new(branchBn, company.Code, company.Name) { Areas = company.Areas, Priority = company.Priority, MaxWeight = company.MaxWeight };
    }
}

/// <summary>Filters of the logistics company list: the branch (code), the carrier code (prefix).</summary>
public sealed record LogisticsFilter(string? BranchBn = null, string? Code = null);

/// <summary>A logistics company with the branch it is set up for.</summary>
public sealed record LogisticsListItem(LogisticsCompany Company, string BranchBn, string BranchName);

/// <summary>Creates, changes and finds the logistics companies (物流公司) set up per branch.</summary>
public sealed class LogisticsService(OmsDbContext db, TimeProvider clock, AuditLog audit)
{
    public const int MaxPriority = 1_000_000;

    /// <summary>The carrier <paramref name="code"/> (any case) as set up for the branch, or null.</summary>
    public async Task<LogisticsCompany?> FindAsync(string branchBn, string code, CancellationToken ct = default)
    {
        var upper = code.Trim().ToUpperInvariant();
        return await (from l in db.Set<LogisticsCompany>()
                      join b in db.Set<Branch>() on l.BranchId equals b.Id
                      where b.BranchBn == branchBn && l.Code == upper
                      select l).FirstOrDefaultAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Every logistics company of a branch, most preferred first.</summary>
    public async Task<IReadOnlyList<LogisticsCompany>> ForBranchAsync(long branchId, CancellationToken ct = default) =>
        await db.Set<LogisticsCompany>().Where(l => l.BranchId == branchId)
            .OrderByDescending(l => l.Priority).ThenBy(l => l.Id).ToListAsync(ct).ConfigureAwait(false);

    public async Task<LogisticsCompany> CreateAsync(LogisticsInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        var branchId = await db.Set<Branch>().Where(b => b.BranchBn == v.BranchBn).Select(b => (long?)b.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false)
                       ?? throw new ValidationException("branch_bn", $"branch_bn '{v.BranchBn}' does not exist");
        if (await db.Set<LogisticsCompany>().AnyAsync(l => l.BranchId == branchId && l.Code == v.Code, ct).ConfigureAwait(false))
            throw new DomainException($"logistics company '{v.Code}' already exists for branch '{v.BranchBn}'");

        var now = clock.GetUtcNow().UtcDateTime;
        var company = new LogisticsCompany
        {
            BranchId = branchId, Code = v.Code, Name = v.Name, Areas = v.Areas.ToList(), Priority = v.Priority,
            MaxWeight = v.MaxWeight, CreatedAt = now, UpdatedAt = now,
        };
        db.Add(company);
        audit.Record("logistics.create", $"logistics:{v.BranchBn}/{v.Code}",
            $"name={v.Name}; areas={string.Join(",", v.Areas)}; weight={v.Priority}; max_weight={v.MaxWeight}", userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return company;
    }

    /// <summary>Replaces every field of the company named by <see cref="LogisticsInput.BranchBn"/> and <see cref="LogisticsInput.Code"/>.</summary>
    public async Task<LogisticsCompany> UpdateAsync(LogisticsInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        var company = await FindAsync(v.BranchBn, v.Code, ct).ConfigureAwait(false)
                      ?? throw new DomainException($"logistics company '{v.Code}' does not exist for branch '{v.BranchBn}'");

        var changes = new FieldChanges();
        changes.Track("name", company.Name, v.Name);
        changes.Track("areas", string.Join(",", company.Areas), string.Join(",", v.Areas));
        changes.Track("weight", company.Priority, v.Priority);
        changes.Track("max_weight", company.MaxWeight, v.MaxWeight);

        company.Name = v.Name;
        company.Areas = v.Areas.ToList();
        company.Priority = v.Priority;
        company.MaxWeight = v.MaxWeight;
        if (changes.Any) company.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("logistics.update", $"logistics:{v.BranchBn}/{v.Code}", changes.ToString(), userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return company;
    }

    /// <summary>One company with the code of its branch, or null.</summary>
    public async Task<LogisticsListItem?> FindByIdAsync(long id, CancellationToken ct = default) =>
        await (from l in db.Set<LogisticsCompany>().AsNoTracking()
               join b in db.Set<Branch>() on l.BranchId equals b.Id
               where l.Id == id
               select new LogisticsListItem(l, b.BranchBn, b.Name)).FirstOrDefaultAsync(ct).ConfigureAwait(false);

    /// <summary>
    /// Companies newest first, keyset paged on the primary key (no OFFSET); filtered by branch code
    /// (exact) and carrier code (prefix, any case: codes are stored upper case and indexed).
    /// </summary>
    public async Task<KeysetPage<LogisticsListItem>> ListAsync(LogisticsFilter filter, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = from l in db.Set<LogisticsCompany>().AsNoTracking()
                join b in db.Set<Branch>() on l.BranchId equals b.Id
                select new { l, b };
        if (!string.IsNullOrWhiteSpace(filter.BranchBn))
        {
            var bn = filter.BranchBn.Trim();
            q = q.Where(x => x.b.BranchBn == bn);
        }
        if (!string.IsNullOrWhiteSpace(filter.Code))
        {
            var code = filter.Code.Trim().ToUpperInvariant();
            q = q.Where(x => x.l.Code.StartsWith(code));
        }
        var page = await q.Select(x => new { x.l, x.b.BranchBn, x.b.Name }).ToKeysetPageAsync(x => x.l.Id, before, pageSize, ct).ConfigureAwait(false);
        return new KeysetPage<LogisticsListItem>(page.Items.Select(x => new LogisticsListItem(x.l, x.BranchBn, x.Name)).ToList(), page.NextBefore);
    }

    private static LogisticsInput Validate(LogisticsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var branchBn = MasterDataInput.Code("branch_bn", input.BranchBn);
        // Carriers are known by upper-case codes (SF, ZTO, YUNDA) on waybills and in platform messages.
        var code = MasterDataInput.Code("code", input.Code).ToUpperInvariant();
        var name = MasterDataInput.Text("name", input.Name);

        var areas = new List<string>();
        foreach (var a in input.Areas ?? [])
        {
            if (string.IsNullOrWhiteSpace(a)) continue;
            var province = ChinaRegions.Normalize(a) ?? throw new ValidationException("areas", $"'{a.Trim()}' is not a province of China");
            if (!areas.Contains(province)) areas.Add(province);
        }
        if (input.Priority is < 0 or > MaxPriority) throw new ValidationException("weight", $"must be between 0 and {MaxPriority} (got {input.Priority})");
        if (input.MaxWeight is { } max)
        {
            if (max <= 0) throw new ValidationException("max_weight", $"must be above 0 kg (got {Money.ToText(max)})");
            MasterDataInput.NonNegative("max_weight", max);
        }
        return input with { BranchBn = branchBn, Code = code, Name = name, Areas = areas };
    }
}
