using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Oms.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class RulesAndDispatch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "branch_rule",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_branch_rule", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "confirm_group",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_confirm_group", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "review_rule",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    blocking_flags = table.Column<long>(type: "bigint", nullable: false),
                    check_product = table.Column<bool>(type: "boolean", nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_review_rule", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "branch_rule_branch",
                columns: table => new
                {
                    branch_id = table.Column<long>(type: "bigint", nullable: false),
                    branch_rule_id = table.Column<long>(type: "bigint", nullable: false),
                    weight = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_branch_rule_branch", x => new { x.branch_rule_id, x.branch_id });
                    table.ForeignKey(
                        name: "fk_branch_rule_branch_branch_branch_id",
                        column: x => x.branch_id,
                        principalTable: "branch",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_branch_rule_branch_branch_rule_branch_rule_id",
                        column: x => x.branch_rule_id,
                        principalTable: "branch_rule",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "branch_rule_condition",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    position = table.Column<int>(type: "integer", nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    parameters = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    branch_rule_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_branch_rule_condition", x => x.id);
                    table.ForeignKey(
                        name: "fk_branch_rule_condition_branch_rule_branch_rule_id",
                        column: x => x.branch_rule_id,
                        principalTable: "branch_rule",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "confirm_group_member",
                columns: table => new
                {
                    group_id = table.Column<long>(type: "bigint", nullable: false),
                    user_id = table.Column<long>(type: "bigint", nullable: false),
                    on_duty = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_confirm_group_member", x => new { x.group_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_confirm_group_member_admin_user_user_id",
                        column: x => x.user_id,
                        principalTable: "admin_user",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_confirm_group_member_confirm_group_group_id",
                        column: x => x.group_id,
                        principalTable: "confirm_group",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dispatch_rule",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    confirm_group_id = table.Column<long>(type: "bigint", nullable: false),
                    mode = table.Column<int>(type: "integer", nullable: false),
                    round_robin_counter = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dispatch_rule", x => x.id);
                    table.ForeignKey(
                        name: "fk_dispatch_rule_confirm_group_confirm_group_id",
                        column: x => x.confirm_group_id,
                        principalTable: "confirm_group",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "order_group",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false),
                    review_rule_id = table.Column<long>(type: "bigint", nullable: true),
                    dispatch_rule_id = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_group", x => x.id);
                    table.ForeignKey(
                        name: "fk_order_group_dispatch_rule_dispatch_rule_id",
                        column: x => x.dispatch_rule_id,
                        principalTable: "dispatch_rule",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_order_group_review_rule_review_rule_id",
                        column: x => x.review_rule_id,
                        principalTable: "review_rule",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "order_group_condition",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    position = table.Column<int>(type: "integer", nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    parameters = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    order_group_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_group_condition", x => x.id);
                    table.ForeignKey(
                        name: "fk_order_group_condition_order_group_order_group_id",
                        column: x => x.order_group_id,
                        principalTable: "order_group",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_branch_rule_name",
                table: "branch_rule",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_branch_rule_branch_branch_id",
                table: "branch_rule_branch",
                column: "branch_id");

            migrationBuilder.CreateIndex(
                name: "ix_branch_rule_condition_branch_rule_id",
                table: "branch_rule_condition",
                column: "branch_rule_id");

            migrationBuilder.CreateIndex(
                name: "ix_confirm_group_name",
                table: "confirm_group",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_confirm_group_member_user_id",
                table: "confirm_group_member",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_dispatch_rule_confirm_group_id",
                table: "dispatch_rule",
                column: "confirm_group_id");

            migrationBuilder.CreateIndex(
                name: "ix_dispatch_rule_name",
                table: "dispatch_rule",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_order_group_dispatch_rule_id",
                table: "order_group",
                column: "dispatch_rule_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_group_is_default",
                table: "order_group",
                column: "is_default",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_order_group_name",
                table: "order_group",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_order_group_review_rule_id",
                table: "order_group",
                column: "review_rule_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_group_condition_order_group_id",
                table: "order_group_condition",
                column: "order_group_id");

            migrationBuilder.CreateIndex(
                name: "ix_review_rule_is_default",
                table: "review_rule",
                column: "is_default",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_review_rule_name",
                table: "review_rule",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "branch_rule_branch");

            migrationBuilder.DropTable(
                name: "branch_rule_condition");

            migrationBuilder.DropTable(
                name: "confirm_group_member");

            migrationBuilder.DropTable(
                name: "order_group_condition");

            migrationBuilder.DropTable(
                name: "branch_rule");

            migrationBuilder.DropTable(
                name: "order_group");

            migrationBuilder.DropTable(
                name: "dispatch_rule");

            migrationBuilder.DropTable(
                name: "review_rule");

            migrationBuilder.DropTable(
                name: "confirm_group");
        }
    }
}
