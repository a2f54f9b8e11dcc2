using System.Data.Common;
using Coffer.Server.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Coffer.Bench;

/// <summary>
/// Writes rows of the server's own entity classes straight into its tables, tens of thousands a second: prepared
/// INSERTs in large transactions on SQLite, binary <c>COPY … FROM STDIN</c> on PostgreSQL. Table names, column
/// names and value conversions (GUIDs as upper-case text and UTC dates on SQLite, enums as integers) come from
/// <see cref="CofferDb"/>'s EF Core model, so the rows are exactly what the server would have written itself.
/// </summary>
public sealed class BulkRows(CofferDb db)
{
    private const int RowsPerSqliteTransaction = 50_000;

    private sealed record Column(string Name, RelationalTypeMapping Mapping, Func<object, object?> Read)
    {
        /// <summary>The value as the provider stores it (after EF's value converter).</summary>
        public object? ProviderValue(object entity) => Read(entity) is { } value ? Mapping.Converter?.ConvertToProvider(value) ?? value : null;
    }

    /// <summary>Inserts <paramref name="rows"/> into <typeparamref name="T"/>'s table; returns the number written.</summary>
    public async Task<long> WriteAsync<T>(IEnumerable<T> rows) where T : class
    {
        ArgumentNullException.ThrowIfNull(rows);
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties()
            .Select(p => new Column(p.GetColumnName(store)!, p.GetRelationalTypeMapping(), p.PropertyInfo!.GetValue))
            .ToArray();
        var columnList = string.Join(", ", columns.Select(c => $"\"{c.Name}\""));
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        return connection switch
        {
            SqliteConnection sqlite => await InsertAsync(sqlite, table, columnList, columns, rows),
            NpgsqlConnection postgres => await CopyAsync(postgres, table, columnList, columns, rows),
            _ => throw new NotSupportedException(connection.GetType().Name),
        };
    }

    private static async Task<long> InsertAsync<T>(SqliteConnection connection, string table, string columnList, Column[] columns, IEnumerable<T> rows)
        where T : class
    {
        long written = 0;
        var transaction = connection.BeginTransaction();
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO \"{table}\" ({columnList}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
            DbParameter[]? parameters = null;
            foreach (var row in rows)
            {
                if (parameters is null)
                {
                    // The type mapping configures each parameter as EF would (e.g. a Guid bound as TEXT).
                    parameters = [.. columns.Select((c, i) => c.Mapping.CreateParameter(command, "$p" + i, c.Read(row), nullable: true))];
                    command.Parameters.AddRange(parameters);
                }
                else
                {
                    for (var i = 0; i < columns.Length; i++)
                    {
                        parameters[i].Value = columns[i].ProviderValue(row) ?? DBNull.Value;
                    }
                }

                await command.ExecuteNonQueryAsync();
                if (++written % RowsPerSqliteTransaction == 0)
                {
                    await transaction.CommitAsync();
                    await transaction.DisposeAsync();
                    transaction = connection.BeginTransaction();
                    command.Transaction = transaction;
                }
            }

            await transaction.CommitAsync();
        }
        finally
        {
            await transaction.DisposeAsync();
        }

        return written;
    }

    private static async Task<long> CopyAsync<T>(NpgsqlConnection connection, string table, string columnList, Column[] columns, IEnumerable<T> rows)
        where T : class
    {
        // Binary COPY carries no type per field, so every text type is written as text.
        var types = columns.Select(c => c.Mapping.StoreType.StartsWith("character varying", StringComparison.Ordinal) ? "text" : c.Mapping.StoreType).ToArray();
        long written = 0;
        await using var importer = await connection.BeginBinaryImportAsync($"COPY \"{table}\" ({columnList}) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            await importer.StartRowAsync();
            for (var i = 0; i < columns.Length; i++)
            {
                if (columns[i].ProviderValue(row) is { } value)
                {
                    await importer.WriteAsync(value, types[i]);
                }
                else
                {
                    await importer.WriteNullAsync();
                }
            }

            written++;
        }

        await importer.CompleteAsync();
        return written;
    }
}
