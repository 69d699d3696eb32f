using Microsoft.EntityFrameworkCore;
using Oms.Channels;
using Oms.Common;
using Oms.Data;
using Oms.Integration.OpenApi;

namespace Oms.Warehouses;

/// <summary>A branch's logistics company as the OpenAPI answers it (<c>weight</c> is its priority).</summary>
internal sealed record LogisticsRow(
    string BranchBn, string Code, string Name, IReadOnlyList<string> Areas, int Weight, decimal? MaxWeight,
    string Createtime, string Modified)
{
    public static LogisticsRow From(LogisticsCompany l, string branchBn) => new(
        branchBn, l.Code, l.Name, l.Areas, l.Priority, MasterDataInput.Plain(l.MaxWeight),
        ChinaTime.ToText(l.CreatedAt), ChinaTime.ToText(l.UpdatedAt));
}

internal static class LogisticsParams
{
    /// <summary><paramref name="current"/> null: an add (bold parameters required); else an update keeping what is not sent.</summary>
    public static LogisticsInput Read(OpenApiRequest r, LogisticsInput? current) =>
        new(r.Required("branch_bn"), r.Required("code"), MasterDataInput.Pick(r, "name", current?.Name))
        {
            Areas = r.Optional("areas") is null ? current?.Areas ?? [] : r.List("areas"),
            Priority = r.OptionalInt("weight", 0, LogisticsService.MaxPriority) ?? current?.Priority ?? 0,
            MaxWeight = MasterDataInput.OptionalDecimal(r, "max_weight") ?? current?.MaxWeight,
        };
}

internal sealed class LogisticsAdd(LogisticsService logistics) : IOpenApiMethod
{
    public string Name => "logistics.add";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var input = LogisticsParams.Read(request, null);
        var company = await logistics.CreateAsync(input, request.Actor, ct).ConfigureAwait(false);
        return LogisticsRow.From(company, input.BranchBn.Trim());
    }
}

internal sealed class LogisticsUpdate(LogisticsService logistics) : IOpenApiMethod
{
    public string Name => "logistics.update";
    public bool ReadOnly => false;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var branchBn = request.Required("branch_bn");
        var code = request.Required("code");
        var current = await logistics.FindAsync(branchBn, code, ct).ConfigureAwait(false)
                      ?? throw new DomainException($"logistics company '{code.ToUpperInvariant()}' does not exist for branch '{branchBn}'");
        var company = await logistics.UpdateAsync(LogisticsParams.Read(request, LogisticsInput.From(current, branchBn)), request.Actor, ct).ConfigureAwait(false);
        return LogisticsRow.From(company, branchBn);
    }
}

internal sealed class LogisticsGetList(OmsDbContext db) : IOpenApiMethod
{
    public string Name => "logistics.getList";
    public bool ReadOnly => true;

    public async Task<object?> InvokeAsync(OpenApiRequest request, CancellationToken ct)
    {
        var (pageNo, pageSize) = request.Paging();
        var branchBns = MasterDataInput.FilterCodes(request, "branch_bn");
        var codes = MasterDataInput.FilterCodes(request, "code").Select(c => c.ToUpperInvariant()).ToList();
        var (from, to) = MasterDataInput.ModifiedWindow(request);

        var q = from l in db.Set<LogisticsCompany>().AsNoTracking()
                join b in db.Set<Branch>() on l.BranchId equals b.Id
                select new { Company = l, b.BranchBn };
        if (branchBns.Count > 0) q = q.Where(x => branchBns.Contains(x.BranchBn));
        if (codes.Count > 0) q = q.Where(x => codes.Contains(x.Company.Code));
        if (from is not null) q = q.Where(x => x.Company.UpdatedAt >= from);
        if (to is not null) q = q.Where(x => x.Company.UpdatedAt <= to);

        var count = await q.LongCountAsync(ct).ConfigureAwait(false);
        var page = await q.OrderBy(x => x.Company.Id).Skip((pageNo - 1) * pageSize).Take(pageSize).ToListAsync(ct).ConfigureAwait(false);
        return new OpenApiList<LogisticsRow>(page.Select(x => LogisticsRow.From(x.Company, x.BranchBn)).ToList(), count);
    }
}
