using Oms.Admin;

namespace Oms.Server.Web;

/// <summary>
/// One entry of the left navigation. <see cref="Key"/> names the resource string <c>Nav.{Key}</c>.
/// A module not built yet has <see cref="PlannedIn"/> set (resource <c>Plan.{PlannedIn}</c>) and
/// links to the one placeholder page; when its pages land, set <see cref="Href"/> and drop it.
/// </summary>
public sealed record NavItem(string Key, string? Href, string? Permission, string? PlannedIn = null)
{
    public string Link => Href ?? "/todo/" + Key;
    public bool IsBuilt => PlannedIn is null;
}

/// <summary>A group of the navigation (a module of DOMAIN.md). Resource <c>Nav.{Key}</c>.</summary>
public sealed record NavGroup(string Key, string Icon, IReadOnlyList<NavItem> Items);

/// <summary>The admin navigation: every module of DOMAIN.md, grouped, in the order merchants work.</summary>
public static class Navigation
{
    public static readonly NavItem Dashboard = new("Dashboard", "/", null);

    public static readonly IReadOnlyList<NavGroup> Groups =
    [
        new("Orders", "▤",
        [
            new("OrderList", "/orders", Permissions.OrdersView),
            new("FailedOrders", "/orders/failed", Permissions.OrdersView),
            new("StagingArea", "/orders/staging", Permissions.OrdersView),
            new("Dispatch", "/dispatch", Permissions.OrdersView),
            new("Review", "/review", Permissions.OrdersView),
            new("OrderGroups", "/rules/order-groups", Permissions.OrdersView),
            new("ReviewRules", "/rules/review-rules", Permissions.OrdersView),
            new("BranchRules", "/rules/branch-rules", Permissions.OrdersView),
            new("ConfirmGroups", "/dispatch/confirm-groups", Permissions.OrdersView),
            new("GiftRules", "/preprocess/gift-rules", Permissions.OrdersView),
            new("AfterSales", null, Permissions.OrdersReview, "AfterSales"),
        ]),
        new("Fulfillment", "⇪",
        [
            new("Deliveries", "/deliveries", RequirePermissionAttribute.DeliveriesView),
            new("WmsDeliveries", "/deliveries/wms", Permissions.OrdersView),
            new("WmsRevokeFailed", "/deliveries/wms/cancel_failed", Permissions.OrdersView),
            new("Print", "/selfwms", Permissions.DeliveryOperate),
            new("Verify", "/selfwms/station", Permissions.DeliveryOperate),
            new("Consign", "/selfwms/jobs", Permissions.DeliveryOperate),
        ]),
        new("Inventory", "▥",
        [
            new("StockQuery", "/inventory/stock", Permissions.StockView),
            new("StockLedger", "/inventory/ledger", Permissions.StockView),
            new("StockDocuments", "/inventory/documents", Permissions.StockView),
            new("StockSync", null, Permissions.StockView, "StockSync"),
        ]),
        new("Purchasing", "⊞",
        [
            new("PurchaseOrders", null, Permissions.StockEdit, "Purchasing"),
            new("Transfers", null, Permissions.StockEdit, "Purchasing"),
            new("Stocktakes", null, Permissions.StockEdit, "Purchasing"),
        ]),
        new("Catalog", "◫",
        [
            new("BasicMaterials", "/catalog/basic-materials", Permissions.MasterDataView),
            new("SalesMaterials", "/catalog/sales-materials", Permissions.MasterDataView),
            new("Suppliers", "/catalog/suppliers", Permissions.MasterDataView),
        ]),
        new("Channels", "⇄",
        [
            new("Shops", "/channels/shops", Permissions.MasterDataView),
            new("WmsChannels", "/channels/wms-channels", Permissions.MasterDataView),
        ]),
        new("Warehouses", "⌂",
        [
            new("Branches", "/warehouses/branches", Permissions.MasterDataView),
            new("LogisticsCompanies", "/warehouses/logistics", Permissions.MasterDataView),
        ]),
        new("Integration", "⟳",
        [
            new("ApiLogs", "/integration/api-logs", Permissions.ApiLogView),
            new("TaskQueue", "/integration/tasks", Permissions.TasksView),
            new("Waybills", null, Permissions.DeliveryOperate, "Integrations"),
            new("Invoices", null, Permissions.OrdersView, "Integrations"),
            new("Exports", null, Permissions.OrdersView, "Exports"),
        ]),
        new("System", "⚙",
        [
            new("Users", "/admin/users", Permissions.UsersManage),
            new("Roles", "/admin/roles", Permissions.UsersManage),
            new("Settings", "/admin/settings", Permissions.SettingsEdit),
            new("OpenApiClients", "/admin/openapi-clients", Permissions.OpenApiManage),
            new("AuditLog", "/admin/audit", Permissions.AuditView),
        ]),
    ];

    /// <summary>The groups with only the entries <paramref name="user"/> may open; empty groups left out.</summary>
    public static IEnumerable<NavGroup> VisibleTo(System.Security.Claims.ClaimsPrincipal user) =>
        Groups.Select(g => g with { Items = g.Items.Where(i => i.Permission is null || user.Has(i.Permission)).ToList() })
              .Where(g => g.Items.Count > 0);

    public static IEnumerable<NavItem> AllItems => Groups.SelectMany(g => g.Items).Prepend(Dashboard);

    public static NavItem? Find(string key) => AllItems.FirstOrDefault(i => string.Equals(i.Key, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>The entry the request path belongs to (longest matching link), for highlighting.</summary>
    public static NavItem? Current(PathString path)
    {
        if (path.StartsWithSegments("/todo", out var rest))
            return Find(rest.Value?.Trim('/') ?? "");
        return AllItems.Where(i => i.Href is { } h && (h == "/" ? path == "/" : path.StartsWithSegments(h, StringComparison.OrdinalIgnoreCase)))
            .MaxBy(i => i.Href!.Length);
    }
}
