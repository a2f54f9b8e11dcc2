using MySql.Data.MySqlClient;

namespace Coffer.Server.Data;

/// <summary>
/// Reads <c>Coffer:Database</c> when it names MySQL or MariaDB: either a MySQL Connector/NET connection string
/// (<c>Server=127.0.0.1;Port=3306;Database=coffer;User ID=coffer;Password=…</c>, with <c>Coffer:DatabaseProvider</c>
/// set to <c>mysql</c>) or a URL (<c>mysql://user:password@host:port/database?sslmode=required</c>, also
/// <c>mariadb://</c>; user and password percent-encoded, query parameters named as Connector/NET's connection string
/// keywords). Coffer adds what its queries need unless the value sets it: a 3 s connect timeout and
/// <c>CharacterSet=utf8mb4</c>; and it always sets <c>UseAffectedRows=false</c> (matched rows). Error messages never
/// repeat the value: it may hold a password.
/// </summary>
public static class MySqlConnectionString
{
    /// <summary>Whether <paramref name="value"/> is a <c>mysql://</c> or <c>mariadb://</c> URL.</summary>
    public static bool IsUrl(string value) =>
        value.StartsWith("mysql://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("mariadb://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection string for <paramref name="value"/>, or null with <paramref name="error"/> saying why not.</summary>
    public static string? TryParse(string value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        error = null;
        try
        {
            var given = IsUrl(value) ? FromUrl(value) : new MySqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(given.Server))
            {
                error = "it names no server.";
                return null;
            }

            if (string.IsNullOrEmpty(given.Database))
            {
                error = "it names no database.";
                return null;
            }

            // Keywords the value set itself are kept; the defaults below fill in only what it left out.
            var set = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = given.ConnectionString };
            if (!set.ContainsKey("connectiontimeout") && !set.ContainsKey("connection timeout") && !set.ContainsKey("connect timeout"))
            {
                // Connector/NET waits 15 s by default; while the database is down every request would hang that long
                // before its 503 (Hosting/DatabaseOutage).
                given.ConnectionTimeout = 3;
            }

            if (!set.ContainsKey("characterset") && !set.ContainsKey("character set") && !set.ContainsKey("charset"))
            {
                given.CharacterSet = "utf8mb4";
            }

            // Always the rows an UPDATE matched, never only those it changed (Connector/NET's default, enforced): the
            // conditional updates that claim a refresh token, a 2FA step or an invitation, and EF's concurrency checks,
            // read "1 row" as "the condition held", as on SQLite and PostgreSQL, even when the values were equal.
            given.UseAffectedRows = false;
            return given.ConnectionString;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or KeyNotFoundException or InvalidOperationException or MySqlException)
        {
            // The exception text can quote the offending part of the value (Connector/NET's MySqlException "Incorrect
            // value in Connection String near '…'" does), so it is not passed on.
            error = "it is neither a valid MySQL connection string (Server=…;Database=…) nor a mysql:// or mariadb:// URL.";
            return null;
        }
    }

    private static MySqlConnectionStringBuilder FromUrl(string value)
    {
        var url = DatabaseUrl.Parse(value);
        var builder = new MySqlConnectionStringBuilder { Server = url.Host, Database = url.Database };
        if (url.Port is { } port)
        {
            builder.Port = (uint)port;
        }

        if (url.User is not null)
        {
            builder.UserID = url.User;
        }

        if (url.Password is not null)
        {
            builder.Password = url.Password;
        }

        foreach (var (name, setting) in url.Query)
        {
            builder[name] = setting;
        }

        return builder;
    }
}
