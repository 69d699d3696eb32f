using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Oms.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ApiLogLz4Compression : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // every inbound call's form (an order push: a few KB of JSON) is compressed as it is stored; pglz cost ~8 % of the
            // database's CPU at intake, lz4 a fraction of it. Rows already stored keep pglz. A server older than 14 (no SET
            // COMPRESSION) or built without lz4 (feature_not_supported) keeps pglz, which only costs speed.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                  IF current_setting('server_version_num')::int >= 140000 THEN
                    EXECUTE 'ALTER TABLE api_log ALTER COLUMN parameters SET COMPRESSION lz4, ALTER COLUMN response SET COMPRESSION lz4';
                  END IF;
                EXCEPTION WHEN feature_not_supported THEN
                  RAISE NOTICE 'lz4 is not available on this server: api_log keeps pglz';
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                  IF current_setting('server_version_num')::int >= 140000 THEN
                    EXECUTE 'ALTER TABLE api_log ALTER COLUMN parameters SET COMPRESSION DEFAULT, ALTER COLUMN response SET COMPRESSION DEFAULT';
                  END IF;
                END $$;
                """);
        }
    }
}
