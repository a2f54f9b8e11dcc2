using Npgsql;

namespace Coffer.Server.Data;

/// <summary>
/// Reads <c>Coffer:Database</c> when it names PostgreSQL: either an Npgsql connection string
/// (<c>Host=127.0.0.1;Port=5432;Database=coffer;Username=coffer;Password=…</c>) or a libpq-style URL
/// (<c>postgresql://user:password@host:port/database?sslmode=require</c>, also <c>postgres://</c>; user and password
/// percent-encoded, query parameters named as Npgsql's connection string keywords, <c>sslmode</c> included).
/// Npgsql itself reads only the first form. Error messages never repeat the value: it may hold a password.
/// </summary>
public static class PostgresConnection
{
    /// <summary>The connection string for <paramref name="value"/>, or null with <paramref name="error"/> saying why not.</summary>
    public static string? TryParse(string value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        error = null;
        try
        {
            var builder = value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
                ? FromUrl(value)
                : new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(builder.Host))
            {
                error = "it names no host.";
                return null;
            }

            if (string.IsNullOrEmpty(builder.Database))
            {
                error = "it names no database.";
                return null;
            }

            return builder.ConnectionString;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            // The exception text can quote the offending part of the value, so it is not passed on.
            error = "it is neither a valid connection string (Host=…;Database=…) nor a postgresql:// URL.";
            return null;
        }
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string value)
    {
        var url = DatabaseUrl.Parse(value);
        var builder = new NpgsqlConnectionStringBuilder { Host = url.Host, Database = url.Database, Username = url.User, Password = url.Password };
        if (url.Port is { } port)
        {
            builder.Port = port;
        }

        foreach (var (name, setting) in url.Query)
        {
            // libpq's sslmode values (disable, allow, prefer, require, verify-ca, verify-full) name Npgsql's SSL modes.
            builder[name.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : name] =
                name.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? setting.Replace("-", "", StringComparison.Ordinal) : setting;
        }

        return builder;
    }
}
