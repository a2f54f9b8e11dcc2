using Microsoft.Data.Sqlite;

namespace Coffer.E2E.Tests.Faults;

/// <summary>Reads a stopped server's SQLite file directly, read-only, as an operator checking it would.</summary>
internal static class SqliteIntegrity
{
    public static string DatabasePath(string dataFolder) => Path.Combine(dataFolder, "coffer.db");

    /// <summary>The rows of <c>PRAGMA integrity_check</c>: exactly "ok" for a sound file.</summary>
    public static string Check(string dataFolder)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath(dataFolder),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return string.Join('\n', rows);
    }
}
