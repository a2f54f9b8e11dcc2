namespace Coffer.Server.Data;

/// <summary>
/// The parts of a database URL (<c>scheme://user:password@host:port/database?name=value&amp;…</c>), as PostgreSQL's
/// and MySQL's URL forms of <c>Coffer:Database</c> share them: the host without IPv6 brackets, the port when one is
/// written, user, password, database and query parameters percent-decoded. Each provider maps them onto its own
/// connection-string builder (<see cref="PostgresConnection"/>, <see cref="MySqlConnectionString"/>).
/// </summary>
/// <exception cref="UriFormatException">From <see cref="Parse"/>, when the value is no absolute URL.</exception>
public sealed record DatabaseUrl(string Host, int? Port, string? User, string? Password, string Database, IReadOnlyList<(string Name, string Value)> Query)
{
    public static DatabaseUrl Parse(string value)
    {
        var url = new Uri(value, UriKind.Absolute);
        string? user = null, password = null;
        if (url.UserInfo.Length > 0)
        {
            var colon = url.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
        }

        var query = new List<(string, string)>();
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            query.Add((Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]), equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..])));
        }

        return new DatabaseUrl(url.Host.Trim('[', ']'), !url.IsDefaultPort && url.Port > 0 ? url.Port : null, user, password,
            Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/')), query);
    }
}
