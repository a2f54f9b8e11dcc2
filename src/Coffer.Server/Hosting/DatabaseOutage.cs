using System.Data.Common;
using System.Net.Sockets;
using Coffer.Server.Errors;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MySql.Data.MySqlClient;

namespace Coffer.Server.Hosting;

/// <summary>
/// When the database cannot be reached, every request that needs it answers 503 with <c>Retry-After</c> at once
/// (Bitwarden's error JSON under /api and /identity, problem details elsewhere) instead of a 500 or a hang, and
/// the node recovers by itself when the database is back: failed SQLite handles and pooled MySQL connections are
/// dropped from their pools, so the next request opens afresh; Npgsql never returns a broken connection to its pool.
/// Nothing is half-written: every change commits in one transaction (<see cref="Data.Changes"/>), which the
/// failure rolls back.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>Seconds a client should wait before trying again (the <c>Retry-After</c> header).</summary>
    public const int RetryAfterSeconds = 5;

    private const string Message = "The database is unavailable. Try again shortly.";

    public static void UseDatabaseOutage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseOutage));
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (IsOutage(e) && !context.Response.HasStarted)
            {
                logger.LogWarning("Database unavailable on {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path, Reason(e));
                Forget(context.RequestServices.GetRequiredService<Data.CofferDb>());
                context.RequestServices.GetRequiredService<CofferMetrics>().DatabaseFailures.Add(1);
                await WriteAsync(context);
            }
        });
    }

    /// <summary>
    /// True for failures of the database connection itself (unreachable, unopenable, timed out, shut down),
    /// as opposed to a bad query: SQLite's open and I/O errors, MySQL's connection errors (Connector/NET marks none
    /// transient; see <see cref="IsMySqlOutage"/>), and any provider's transient <see cref="DbException"/>
    /// (Npgsql marks socket, timeout and server-shutdown errors transient), found anywhere in the inner exceptions.
    /// </summary>
    public static bool IsOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite when IsSqliteOutage(sqlite.SqliteErrorCode):
                case MySqlException mysql when IsMySqlOutage(mysql):
                case DbException { IsTransient: true }:
                case TimeoutException or SocketException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Drops this server's pooled SQLite handles, so the next request opens the file afresh, and its idle MySQL
    /// connections: after a MySQL restart every one of them is dead, and Connector/NET would hand each out once more.
    /// </summary>
    public static void Forget(Data.CofferDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsSqlite())
        {
            using var connection = new SqliteConnection(db.Database.GetConnectionString());
            SqliteConnection.ClearPool(connection);
        }
        else if (db is Data.MySqlCofferDb)
        {
            using var connection = new MySqlConnection(db.Database.GetConnectionString());
            MySqlConnection.ClearPool(connection);
        }
    }

    /// <summary>
    /// MySQL and MariaDB errors that mean the server cannot be reached or is going away (error numbers of the
    /// MySQL/MariaDB reference, client errors 2xxx as Connector/NET reports them), and any Connector/NET error over a
    /// broken stream ("Fatal error encountered during data read": the connection dropped mid-command).
    /// </summary>
    public static bool IsMySqlOutage(MySqlException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Number is
            1040 // ER_CON_COUNT_ERROR: too many connections
            or 1042 // ER_BAD_HOST_ERROR: Connector/NET's "Unable to connect to any of the specified MySQL hosts"
            or 1053 // ER_SERVER_SHUTDOWN: shutdown in progress
            or 1205 // ER_LOCK_WAIT_TIMEOUT
            or 1927 // ER_CONNECTION_KILLED (MariaDB)
            or 2002 or 2003 // CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR: cannot connect
            or 2006 or 2013 // CR_SERVER_GONE_ERROR, CR_SERVER_LOST
            or 4031 // ER_CLIENT_INTERACTION_TIMEOUT: disconnected by the server
            || exception.InnerException is IOException or SocketException or TimeoutException;
    }

    private static bool IsSqliteOutage(int code) => code is
        5 // SQLITE_BUSY: the lock was not released within busy_timeout
        or 8 // SQLITE_READONLY: the file or its folder became read-only
        or 10 // SQLITE_IOERR: the disk went away under an open handle
        or 13 // SQLITE_FULL
        or 14 // SQLITE_CANTOPEN: the file or its folder is gone or unreadable
        or 26; // SQLITE_NOTADB: something else stands where the database was

    private static string Reason(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or TimeoutException or SocketException)
            {
                return e.Message;
            }
        }

        return exception.Message;
    }

    private static Task WriteAsync(HttpContext context)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return BitwardenErrors.WriteErrorAsync(context, Message);
    }
}
