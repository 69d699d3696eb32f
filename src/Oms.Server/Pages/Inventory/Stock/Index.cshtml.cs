using Oms.Admin;
using Oms.Common;
using Oms.Inventory;
using Oms.Server.Web;

namespace Oms.Server.Pages.Inventory.Stock;

/// <summary>
/// 库存查询: counters per branch and material (keyset on the key of <c>branch_stock</c>), totals per
/// material over all branches and shops (second tab), and 可售库存 per shop of a chosen material.
/// </summary>
[RequirePermission(Permissions.StockView)]
public sealed class StockIndexModel(StockBrowser browser) : AdminPageModel
{
    public bool Totals { get; private set; }
    public long? BranchId { get; private set; }
    public string? Material { get; private set; }
    public bool OnlyWithStock { get; private set; }
    public IReadOnlyList<CodeOption> Branches { get; private set; } = [];
    public StockListPage BranchRows { get; private set; } = new([], null);
    public KeysetPage<MaterialTotalsRow> TotalRows { get; private set; } = new([], null);
    public CodeOption? SellableMaterial { get; private set; }
    public IReadOnlyList<ShopSellableRow> Sellable { get; private set; } = [];

    public async Task OnGetAsync(string? view, long? branch, string? q, bool stock, string? after, long? before, long? material, CancellationToken ct)
    {
        Totals = view == "totals";
        (BranchId, Material, OnlyWithStock) = (branch, q, stock);
        Branches = await browser.BranchesAsync(ct);
        if (Totals)
            TotalRows = await browser.TotalsAsync(q, stock, before, ct: ct);
        else
            BranchRows = await browser.StockAsync(new StockListFilter(branch, q, stock), StockCursor.Parse(after), ct: ct);
        if (material is { } id && await browser.MaterialAsync(id, ct) is { } m)
        {
            SellableMaterial = m;
            Sellable = await browser.SellableByShopAsync(id, ct);
        }
    }
}
