namespace Oms.Admin;

/// <summary>One permission of the catalogue, with the labels the admin UI shows.</summary>
public sealed record PermissionInfo(string Name, string ChineseLabel, string EnglishLabel);

/// <summary>
/// The static permission catalogue (权限). Roles hold a list of these names; a super admin
/// holds all of them. The web host turns each into an authorization policy <c>perm:NAME</c>.
/// Modules add their permissions here so the role page can offer them.
/// </summary>
public static class Permissions
{
    public const string MasterDataView = "masterdata.view";
    public const string MasterDataEdit = "masterdata.edit";
    public const string StockView = "stock.view";
    public const string StockEdit = "stock.edit";
    public const string OrdersView = "orders.view";
    public const string OrdersEdit = "orders.edit";
    public const string OrdersReview = "orders.review";
    public const string DeliveryOperate = "delivery.operate";
    public const string SettingsEdit = "settings.edit";
    public const string UsersManage = "users.manage";
    public const string OpenApiManage = "openapi.manage";
    public const string AuditView = "audit.view";
    public const string ApiLogView = "apilog.view";
    public const string ApiLogRetry = "apilog.retry";
    public const string TasksView = "tasks.view";
    public const string TasksManage = "tasks.manage";

    public static readonly IReadOnlyList<PermissionInfo> All =
    [
        new(MasterDataView, "查看主数据（店铺、仓库、物料、供应商）", "View master data (shops, branches, materials, suppliers)"),
        new(MasterDataEdit, "维护主数据", "Edit master data"),
        new(StockView, "查看库存与出入库明细", "View stock and the stock ledger"),
        new(StockEdit, "出入库、调拨、盘点", "Stock documents, transfers, stocktakes"),
        new(OrdersView, "查看订单", "View orders"),
        new(OrdersEdit, "处理订单（失败订单重新匹配）", "Work on orders (re-match failed orders)"),
        new(OrdersReview, "审单、拆单、异常处理", "Review, split and handle orders"),
        new(DeliveryOperate, "发货单打印、校验、发货", "Print, verify and ship deliveries"),
        new(SettingsEdit, "修改系统设置", "Change system settings"),
        new(UsersManage, "管理用户与角色", "Manage users and roles"),
        new(OpenApiManage, "管理 OpenAPI 客户端", "Manage OpenAPI clients"),
        new(AuditView, "查看操作日志", "View the audit log"),
        new(ApiLogView, "查看同步日志", "View the API log"),
        new(ApiLogRetry, "重试失败的出站请求", "Retry failed outbound requests"),
        new(TasksView, "查看任务队列", "View the task queue"),
        new(TasksManage, "启停任务类别、重试或丢弃失败任务", "Stop and start task kinds, retry or discard failed tasks"),
    ];

    private static readonly HashSet<string> Names = All.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    public static bool IsKnown(string name) => Names.Contains(name);
}
