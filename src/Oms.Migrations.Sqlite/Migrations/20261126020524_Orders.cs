using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Orders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "after_sale_request",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    shop_id = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    request_bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    order_bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    money = table.Column<long>(type: "INTEGER", nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    payload = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_after_sale_request", x => x.id);
                    table.ForeignKey(
                        name: "fk_after_sale_request_shop_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shop",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    shop_id = table.Column<long>(type: "INTEGER", nullable: false),
                    order_bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    pay_status = table.Column<int>(type: "INTEGER", nullable: false),
                    ship_status = table.Column<int>(type: "INTEGER", nullable: false),
                    process_status = table.Column<int>(type: "INTEGER", nullable: false),
                    confirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    pause = table.Column<bool>(type: "INTEGER", nullable: false),
                    abnormal = table.Column<bool>(type: "INTEGER", nullable: false),
                    abnormal_reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    is_fail = table.Column<bool>(type: "INTEGER", nullable: false),
                    is_cod = table.Column<bool>(type: "INTEGER", nullable: false),
                    group_id = table.Column<long>(type: "INTEGER", nullable: true),
                    op_id = table.Column<long>(type: "INTEGER", nullable: true),
                    dispatch_time = table.Column<long>(type: "INTEGER", nullable: true),
                    auto_status = table.Column<long>(type: "INTEGER", nullable: false),
                    cost_item = table.Column<long>(type: "INTEGER", nullable: false),
                    cost_freight = table.Column<long>(type: "INTEGER", nullable: false),
                    cost_protect = table.Column<long>(type: "INTEGER", nullable: false),
                    cost_payment = table.Column<long>(type: "INTEGER", nullable: false),
                    discount = table.Column<long>(type: "INTEGER", nullable: false),
                    pmt_goods = table.Column<long>(type: "INTEGER", nullable: false),
                    pmt_order = table.Column<long>(type: "INTEGER", nullable: false),
                    total_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    payed = table.Column<long>(type: "INTEGER", nullable: false),
                    weight = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    promotion_detail = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    shipping_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    is_protect = table.Column<bool>(type: "INTEGER", nullable: false),
                    pay_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_province = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_city = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_district = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_street = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_addr = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_zip = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_tel = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_mobile = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_email = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ship_time = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    buyer_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    member_uname = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    member_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    member_mobile = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    member_tel = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    member_email = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    custom_mark = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    mark_text = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    mark_type = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    is_tax = table.Column<bool>(type: "INTEGER", nullable: false),
                    tax_title = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    tax_no = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    create_time = table.Column<long>(type: "INTEGER", nullable: false),
                    platform_modified = table.Column<long>(type: "INTEGER", nullable: false),
                    pay_time = table.Column<long>(type: "INTEGER", nullable: true),
                    arrived_at = table.Column<long>(type: "INTEGER", nullable: false),
                    paid_at = table.Column<long>(type: "INTEGER", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_orders", x => x.id);
                    table.CheckConstraint("ck_orders_pay_status", "pay_status BETWEEN 0 AND 8");
                    table.CheckConstraint("ck_orders_ship_status", "ship_status BETWEEN 0 AND 4");
                    table.ForeignKey(
                        name: "fk_orders_shop_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shop",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "order_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    @operator = table.Column<string>(name: "operator", type: "TEXT", maxLength: 100, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_log", x => x.id);
                    table.ForeignKey(
                        name: "fk_order_log_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "order_object",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    oid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    obj_type = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    sales_material_id = table.Column<long>(type: "INTEGER", nullable: true),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    price = table.Column<long>(type: "INTEGER", nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    pmt_price = table.Column<long>(type: "INTEGER", nullable: false),
                    sale_price = table.Column<long>(type: "INTEGER", nullable: false),
                    weight = table.Column<long>(type: "INTEGER", nullable: false),
                    shop_goods_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    shop_items = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    deleted = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_object", x => x.id);
                    table.CheckConstraint("ck_order_object_quantity", "quantity > 0");
                    table.ForeignKey(
                        name: "fk_order_object_order_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_order_object_sales_material_sales_material_id",
                        column: x => x.sales_material_id,
                        principalTable: "sales_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "order_payment",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    trade_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    money = table.Column<long>(type: "INTEGER", nullable: false),
                    pay_method = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    pay_time = table.Column<long>(type: "INTEGER", nullable: true),
                    account = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    pay_account = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    memo = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_payment", x => x.id);
                    table.ForeignKey(
                        name: "fk_order_payment_order_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "order_item",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    object_id = table.Column<long>(type: "INTEGER", nullable: false),
                    basic_material_id = table.Column<long>(type: "INTEGER", nullable: false),
                    bn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    item_type = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    price = table.Column<long>(type: "INTEGER", nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    split_num = table.Column<int>(type: "INTEGER", nullable: false),
                    send_num = table.Column<int>(type: "INTEGER", nullable: false),
                    return_num = table.Column<int>(type: "INTEGER", nullable: false),
                    deleted = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_item", x => x.id);
                    table.CheckConstraint("ck_order_item_quantity", "quantity > 0");
                    table.CheckConstraint("ck_order_item_split", "split_num >= 0 AND split_num <= quantity");
                    table.ForeignKey(
                        name: "fk_order_item_basic_material_basic_material_id",
                        column: x => x.basic_material_id,
                        principalTable: "basic_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_order_item_order_object_object_id",
                        column: x => x.object_id,
                        principalTable: "order_object",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_order_item_order_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_after_sale_request_shop_id_kind_request_bn",
                table: "after_sale_request",
                columns: new[] { "shop_id", "kind", "request_bn" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_after_sale_request_shop_id_order_bn",
                table: "after_sale_request",
                columns: new[] { "shop_id", "order_bn" });

            migrationBuilder.CreateIndex(
                name: "ix_order_item_basic_material_id",
                table: "order_item",
                column: "basic_material_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_item_object_id",
                table: "order_item",
                column: "object_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_item_order_id",
                table: "order_item",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_log_order_id_id",
                table: "order_log",
                columns: new[] { "order_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_order_object_order_id",
                table: "order_object",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_object_sales_material_id",
                table: "order_object",
                column: "sales_material_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_payment_order_id_trade_no",
                table: "order_payment",
                columns: new[] { "order_id", "trade_no" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_orders_create_time_id",
                table: "orders",
                columns: new[] { "create_time", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_member_uname",
                table: "orders",
                column: "member_uname");

            migrationBuilder.CreateIndex(
                name: "ix_orders_order_bn",
                table: "orders",
                column: "order_bn");

            migrationBuilder.CreateIndex(
                name: "ix_orders_ship_mobile",
                table: "orders",
                column: "ship_mobile");

            migrationBuilder.CreateIndex(
                name: "ix_orders_shop_id_order_bn",
                table: "orders",
                columns: new[] { "shop_id", "order_bn" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_orders_updated_at_id",
                table: "orders",
                columns: new[] { "updated_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "after_sale_request");

            migrationBuilder.DropTable(
                name: "order_item");

            migrationBuilder.DropTable(
                name: "order_log");

            migrationBuilder.DropTable(
                name: "order_payment");

            migrationBuilder.DropTable(
                name: "order_object");

            migrationBuilder.DropTable(
                name: "orders");
        }
    }
}
