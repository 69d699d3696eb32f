using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Oms.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "admin_role",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    description = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    permissions = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_admin_role", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "admin_user",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    display_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    disabled = table.Column<bool>(type: "boolean", nullable: false),
                    is_super_admin = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_login_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_admin_user", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    user_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    action = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    target = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    detail = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "basic_material",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    material_bn = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    barcode = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    type = table.Column<int>(type: "integer", nullable: false),
                    sellable = table.Column<bool>(type: "boolean", nullable: false),
                    unit = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    retail_price = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    cost = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    weight = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_basic_material", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "branch",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    branch_bn = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    wms = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    online = table.Column<bool>(type: "boolean", nullable: false),
                    type = table.Column<int>(type: "integer", nullable: false),
                    area = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    address = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    weight = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_branch", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "openapi_client",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    flag = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    interface_key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    methods = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    disabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_openapi_client", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "openapi_seen_request",
                columns: table => new
                {
                    flag = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    sign = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    seen_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_openapi_seen_request", x => new { x.flag, x.sign });
                });

            migrationBuilder.CreateTable(
                name: "setting",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    value = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_setting", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "shop",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    shop_bn = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    shop_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    node_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    token = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    api_url = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    stock_writeback = table.Column<bool>(type: "boolean", nullable: false),
                    ship_writeback = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shop", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "supplier",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    supplier_bn = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    contact = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    phone = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    address = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_supplier", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "task_failed",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    payload = table.Column<string>(type: "text", maxLength: 255, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    failed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_failed", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "task_kind_state",
                columns: table => new
                {
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    stopped = table.Column<bool>(type: "boolean", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_kind_state", x => x.kind);
                });

            migrationBuilder.CreateTable(
                name: "task_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    message_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "task_queue",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    payload = table.Column<string>(type: "text", maxLength: 255, nullable: false),
                    state = table.Column<short>(type: "smallint", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    max_attempts = table.Column<int>(type: "integer", nullable: false),
                    visible_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    lease_owner = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    last_error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_queue", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "task_receipt",
                columns: table => new
                {
                    message_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_receipt", x => x.message_id);
                });

            migrationBuilder.CreateTable(
                name: "task_stats",
                columns: table => new
                {
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    minute = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    done = table.Column<long>(type: "bigint", nullable: false),
                    failed = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_stats", x => new { x.kind, x.minute });
                });

            migrationBuilder.CreateTable(
                name: "task_timer",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    cron = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    next_run_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_run_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_timer", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "task_worker",
                columns: table => new
                {
                    owner = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    running = table.Column<int>(type: "integer", nullable: false),
                    beat_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_worker", x => new { x.owner, x.kind });
                });

            migrationBuilder.CreateTable(
                name: "admin_user_role",
                columns: table => new
                {
                    user_id = table.Column<long>(type: "bigint", nullable: false),
                    role_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_admin_user_role", x => new { x.user_id, x.role_id });
                    table.ForeignKey(
                        name: "fk_admin_user_role_admin_role_role_id",
                        column: x => x.role_id,
                        principalTable: "admin_role",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_admin_user_role_admin_user_user_id",
                        column: x => x.user_id,
                        principalTable: "admin_user",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "branch_stock",
                columns: table => new
                {
                    branch_id = table.Column<long>(type: "bigint", nullable: false),
                    basic_material_id = table.Column<long>(type: "bigint", nullable: false),
                    store = table.Column<int>(type: "integer", nullable: false),
                    store_freeze = table.Column<int>(type: "integer", nullable: false),
                    arrive_store = table.Column<int>(type: "integer", nullable: false),
                    defective_store = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_branch_stock", x => new { x.branch_id, x.basic_material_id });
                    table.CheckConstraint("ck_branch_stock_arrive_store", "arrive_store >= 0");
                    table.CheckConstraint("ck_branch_stock_defective_store", "defective_store >= 0");
                    table.CheckConstraint("ck_branch_stock_store", "store >= 0");
                    table.CheckConstraint("ck_branch_stock_store_freeze", "store_freeze >= 0");
                    table.ForeignKey(
                        name: "fk_branch_stock_basic_material_basic_material_id",
                        column: x => x.basic_material_id,
                        principalTable: "basic_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_branch_stock_branch_branch_id",
                        column: x => x.branch_id,
                        principalTable: "branch",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "logistics_company",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    branch_id = table.Column<long>(type: "bigint", nullable: false),
                    code = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    areas = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    max_weight = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_logistics_company", x => x.id);
                    table.ForeignKey(
                        name: "fk_logistics_company_branch_branch_id",
                        column: x => x.branch_id,
                        principalTable: "branch",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "stock_document",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    io_bn = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    branch_id = table.Column<long>(type: "bigint", nullable: false),
                    type = table.Column<string>(type: "character varying(1)", maxLength: 1, nullable: false),
                    memo = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    @operator = table.Column<string>(name: "operator", type: "character varying(255)", maxLength: 255, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_document", x => x.id);
                    table.ForeignKey(
                        name: "fk_stock_document_branch_branch_id",
                        column: x => x.branch_id,
                        principalTable: "branch",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "stock_ledger",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    branch_id = table.Column<long>(type: "bigint", nullable: false),
                    basic_material_id = table.Column<long>(type: "bigint", nullable: false),
                    quantity = table.Column<int>(type: "integer", nullable: false),
                    type = table.Column<int>(type: "integer", nullable: false),
                    original_bn = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    balance_after = table.Column<int>(type: "integer", nullable: false),
                    unit_price = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    @operator = table.Column<string>(name: "operator", type: "character varying(255)", maxLength: 255, nullable: true),
                    memo = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_ledger", x => x.id);
                    table.ForeignKey(
                        name: "fk_stock_ledger_basic_material_basic_material_id",
                        column: x => x.basic_material_id,
                        principalTable: "basic_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_stock_ledger_branch_branch_id",
                        column: x => x.branch_id,
                        principalTable: "branch",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "branch_shop",
                columns: table => new
                {
                    branch_id = table.Column<long>(type: "bigint", nullable: false),
                    shop_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_branch_shop", x => new { x.branch_id, x.shop_id });
                    table.ForeignKey(
                        name: "fk_branch_shop_branch_branch_id",
                        column: x => x.branch_id,
                        principalTable: "branch",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_branch_shop_shop_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shop",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sales_material",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sales_material_bn = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    type = table.Column<int>(type: "integer", nullable: false),
                    retail_price = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    shop_id = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_material", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_material_shop_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shop",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "shop_freeze",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    basic_material_id = table.Column<long>(type: "bigint", nullable: false),
                    quantity = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shop_freeze", x => new { x.shop_id, x.basic_material_id });
                    table.CheckConstraint("ck_shop_freeze_quantity", "quantity >= 0");
                    table.ForeignKey(
                        name: "fk_shop_freeze_basic_material_basic_material_id",
                        column: x => x.basic_material_id,
                        principalTable: "basic_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_shop_freeze_shop_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shop",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "stock_document_line",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    stock_document_id = table.Column<long>(type: "bigint", nullable: false),
                    basic_material_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    quantity = table.Column<int>(type: "integer", nullable: false),
                    price = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_document_line", x => x.id);
                    table.ForeignKey(
                        name: "fk_stock_document_line_basic_material_basic_material_id",
                        column: x => x.basic_material_id,
                        principalTable: "basic_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_stock_document_line_stock_document_stock_document_id",
                        column: x => x.stock_document_id,
                        principalTable: "stock_document",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sales_material_binding",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sales_material_id = table.Column<long>(type: "bigint", nullable: false),
                    basic_material_id = table.Column<long>(type: "bigint", nullable: false),
                    quantity = table.Column<int>(type: "integer", nullable: false),
                    price_share = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_material_binding", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_material_binding_basic_material_basic_material_id",
                        column: x => x.basic_material_id,
                        principalTable: "basic_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sales_material_binding_sales_material_sales_material_id",
                        column: x => x.sales_material_id,
                        principalTable: "sales_material",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_admin_role_name",
                table: "admin_role",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_admin_user_name",
                table: "admin_user",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_admin_user_role_role_id",
                table: "admin_user_role",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_at_id",
                table: "audit_log",
                columns: new[] { "at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_target",
                table: "audit_log",
                column: "target");

            migrationBuilder.CreateIndex(
                name: "ix_basic_material_barcode",
                table: "basic_material",
                column: "barcode",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_basic_material_material_bn",
                table: "basic_material",
                column: "material_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_branch_branch_bn",
                table: "branch",
                column: "branch_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_branch_shop_shop_id",
                table: "branch_shop",
                column: "shop_id");

            migrationBuilder.CreateIndex(
                name: "ix_branch_stock_basic_material_id",
                table: "branch_stock",
                column: "basic_material_id");

            migrationBuilder.CreateIndex(
                name: "ix_branch_stock_updated_at",
                table: "branch_stock",
                column: "updated_at");

            migrationBuilder.CreateIndex(
                name: "ix_logistics_company_branch_id_code",
                table: "logistics_company",
                columns: new[] { "branch_id", "code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_logistics_company_code",
                table: "logistics_company",
                column: "code");

            migrationBuilder.CreateIndex(
                name: "ix_openapi_client_flag",
                table: "openapi_client",
                column: "flag",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_openapi_seen_request_seen_at",
                table: "openapi_seen_request",
                column: "seen_at");

            migrationBuilder.CreateIndex(
                name: "ix_sales_material_sales_material_bn",
                table: "sales_material",
                column: "sales_material_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sales_material_shop_id",
                table: "sales_material",
                column: "shop_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_material_binding_basic_material_id",
                table: "sales_material_binding",
                column: "basic_material_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_material_binding_sales_material_id_basic_material_id",
                table: "sales_material_binding",
                columns: new[] { "sales_material_id", "basic_material_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_shop_node_id",
                table: "shop",
                column: "node_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_shop_shop_bn",
                table: "shop",
                column: "shop_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_shop_freeze_basic_material_id",
                table: "shop_freeze",
                column: "basic_material_id");

            migrationBuilder.CreateIndex(
                name: "ix_stock_document_branch_id",
                table: "stock_document",
                column: "branch_id");

            migrationBuilder.CreateIndex(
                name: "ix_stock_document_created_at_id",
                table: "stock_document",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_stock_document_io_bn",
                table: "stock_document",
                column: "io_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_stock_document_line_basic_material_id",
                table: "stock_document_line",
                column: "basic_material_id");

            migrationBuilder.CreateIndex(
                name: "ix_stock_document_line_stock_document_id",
                table: "stock_document_line",
                column: "stock_document_id");

            migrationBuilder.CreateIndex(
                name: "ix_stock_ledger_basic_material_id_id",
                table: "stock_ledger",
                columns: new[] { "basic_material_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_stock_ledger_branch_id_basic_material_id_id",
                table: "stock_ledger",
                columns: new[] { "branch_id", "basic_material_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_stock_ledger_created_at_id",
                table: "stock_ledger",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_stock_ledger_original_bn",
                table: "stock_ledger",
                column: "original_bn");

            migrationBuilder.CreateIndex(
                name: "ix_supplier_supplier_bn",
                table: "supplier",
                column: "supplier_bn",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_task_failed_kind_failed_at",
                table: "task_failed",
                columns: new[] { "kind", "failed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_task_log_at",
                table: "task_log",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_task_log_message_id",
                table: "task_log",
                column: "message_id");

            migrationBuilder.CreateIndex(
                name: "ix_task_queue_kind_visible_at",
                table: "task_queue",
                columns: new[] { "kind", "visible_at" });

            migrationBuilder.CreateIndex(
                name: "ix_task_queue_visible_at",
                table: "task_queue",
                column: "visible_at");

            migrationBuilder.CreateIndex(
                name: "ix_task_receipt_at",
                table: "task_receipt",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_task_stats_minute",
                table: "task_stats",
                column: "minute");

            migrationBuilder.CreateIndex(
                name: "ix_task_worker_beat_at",
                table: "task_worker",
                column: "beat_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "admin_user_role");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "branch_shop");

            migrationBuilder.DropTable(
                name: "branch_stock");

            migrationBuilder.DropTable(
                name: "logistics_company");

            migrationBuilder.DropTable(
                name: "openapi_client");

            migrationBuilder.DropTable(
                name: "openapi_seen_request");

            migrationBuilder.DropTable(
                name: "sales_material_binding");

            migrationBuilder.DropTable(
                name: "setting");

            migrationBuilder.DropTable(
                name: "shop_freeze");

            migrationBuilder.DropTable(
                name: "stock_document_line");

            migrationBuilder.DropTable(
                name: "stock_ledger");

            migrationBuilder.DropTable(
                name: "supplier");

            migrationBuilder.DropTable(
                name: "task_failed");

            migrationBuilder.DropTable(
                name: "task_kind_state");

            migrationBuilder.DropTable(
                name: "task_log");

            migrationBuilder.DropTable(
                name: "task_queue");

            migrationBuilder.DropTable(
                name: "task_receipt");

            migrationBuilder.DropTable(
                name: "task_stats");

            migrationBuilder.DropTable(
                name: "task_timer");

            migrationBuilder.DropTable(
                name: "task_worker");

            migrationBuilder.DropTable(
                name: "admin_role");

            migrationBuilder.DropTable(
                name: "admin_user");

            migrationBuilder.DropTable(
                name: "sales_material");

            migrationBuilder.DropTable(
                name: "stock_document");

            migrationBuilder.DropTable(
                name: "basic_material");

            migrationBuilder.DropTable(
                name: "shop");

            migrationBuilder.DropTable(
                name: "branch");
        }
    }
}
