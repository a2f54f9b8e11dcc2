using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Coffer.Server.Data;

/// <summary>
/// Mends what Oracle's MySQL provider (MySql.EntityFrameworkCore 10.0.12) sends that MariaDB, the MySQL server Debian
/// ships, refuses. Its migration lock is <c>SELECT GET_LOCK('__EFMigrationsLock',-1)</c>: MySQL reads a negative
/// timeout as "wait forever", MariaDB 10.11 answers NULL with warning 1411 (<c>Incorrect timeout value: '-1' for
/// function get_lock</c>) and the provider then fails casting NULL to a number. The timeout becomes
/// <see cref="Forever"/> seconds, which both servers read alike. Nothing else is rewritten.
/// </summary>
public sealed class MariaDbCompatibility : DbCommandInterceptor
{
    public static MariaDbCompatibility Instance { get; } = new();

    /// <summary>A year, in seconds: as long as the migration lock is ever waited for.</summary>
    public const int Forever = 31_536_000;

    private const string NegativeWait = ",-1)";

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

    private static void Mend(DbCommand command)
    {
        if (command.CommandText.StartsWith("SELECT GET_LOCK(", StringComparison.Ordinal) && command.CommandText.Contains(NegativeWait, StringComparison.Ordinal))
        {
            command.CommandText = command.CommandText.Replace(NegativeWait, $",{Forever})", StringComparison.Ordinal);
        }
    }
}
