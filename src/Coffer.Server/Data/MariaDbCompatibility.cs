using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Coffer.Server.Data;

/// <summary>
/// Mends what Oracle's MySQL provider (MySql.EntityFrameworkCore 10.0.12) sends that MariaDB, the MySQL server Debian
/// ships, answers differently, and its server-wide migration lock. Its migration lock is
/// <c>SELECT GET_LOCK('__EFMigrationsLock',-1)</c>, whose answer it casts to a long. MySQL reads a negative timeout as
/// "wait forever"; MariaDB 10.11 answers NULL with warning 1411 (<c>Incorrect timeout value: '-1' for function
/// get_lock</c>), and even with a valid timeout it types the answer INT, which Connector/NET reads as an int: either way
/// the cast throws and no migration runs. The statement becomes <see cref="MigrationLock"/>: a timeout of
/// <see cref="Forever"/> seconds, which both servers read alike, and a BIGINT answer; and as named locks belong to the
/// whole server, the name becomes the database's own (<see cref="MySqlCofferDb.LockName"/>), in its RELEASE_LOCK too,
/// so installations sharing a server do not migrate one at a time. And <c>ExecuteDelete</c> becomes
/// <c>DELETE FROM `table` AS `alias` WHERE …</c>, a single-table DELETE with an alias, which MySQL accepts since 8.0.16
/// and MariaDB 10.11 refuses as a syntax error; both accept the multi-table form
/// <c>DELETE `alias` FROM `table` AS `alias` WHERE …</c>, which deletes the same rows. Nothing else is rewritten.
/// </summary>
public sealed partial class MariaDbCompatibility : DbCommandInterceptor
{
    public static MariaDbCompatibility Instance { get; } = new();

    /// <summary>A year, in seconds: as long as the migration lock is ever waited for.</summary>
    public const int Forever = 31_536_000;

    private const string ProviderLock = "SELECT GET_LOCK('__EFMigrationsLock',-1)";

    private const string ProviderUnlock = "SELECT RELEASE_LOCK('__EFMigrationsLock')";

    /// <summary>
    /// The provider's migration lock as sent instead, for <paramref name="database"/>: adding 0 × the BIGINT maximum
    /// makes the answer BIGINT.
    /// </summary>
    public static string MigrationLock(string database) =>
        $"SELECT GET_LOCK('{MySqlCofferDb.LockName(database, "migrations")}', {Forever}) + 0 * 9223372036854775807";

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Mend(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Mend(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Mend(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Mend(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Mend(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Mend(command);
        return ValueTask.FromResult(result);
    }

    /// <summary>The statement as sent to the server over <paramref name="database"/>: <paramref name="sql"/> mended as above, or unchanged.</summary>
    public static string Mend(string sql, string database)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (sql.StartsWith(ProviderLock, StringComparison.Ordinal))
        {
            return MigrationLock(database) + sql[ProviderLock.Length..];
        }

        if (sql.StartsWith(ProviderUnlock, StringComparison.Ordinal))
        {
            return $"SELECT RELEASE_LOCK('{MySqlCofferDb.LockName(database, "migrations")}')" + sql[ProviderUnlock.Length..];
        }

        return sql.StartsWith("DELETE FROM ", StringComparison.Ordinal) ? AliasedDelete().Replace(sql, "DELETE $2 FROM $1 AS $2", 1) : sql;
    }

    private static void Mend(DbCommand command) => command.CommandText = Mend(command.CommandText, command.Connection?.Database ?? "");

    [GeneratedRegex(@"\ADELETE FROM (`[^`]+`) AS (`[^`]+`)", RegexOptions.CultureInvariant)]
    private static partial Regex AliasedDelete();
}
