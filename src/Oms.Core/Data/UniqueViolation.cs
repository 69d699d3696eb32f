using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Oms.Data;

/// <summary>Recognizes a unique-key violation on either provider (a lost race on an insert).</summary>
public static class UniqueViolation
{
    public static bool Is(DbUpdateException e) => Is(e.InnerException);

    public static bool Is(Exception? e) => e switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
