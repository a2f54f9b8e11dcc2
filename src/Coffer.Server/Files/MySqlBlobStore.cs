using System.Runtime.CompilerServices;
using MySql.Data.MySqlClient;

namespace Coffer.Server.Files;

/// <summary>
/// Blobs in MySQL or MariaDB (tables <c>blobs</c> and <c>blob_chunks</c>, see <see cref="StoredBlob"/>), the layout
/// <see cref="PostgresBlobStore"/> uses, so every node of a cluster serves every file with no shared file system. Bytes
/// stream in and out in chunks of <see cref="ChunkBytes"/>: one statement per chunk, far under MariaDB's default
/// <c>max_allowed_packet</c> of 16 MiB (MySQL's is 64 MiB) even with Connector/NET's escaping of binary values, and one
/// chunk in memory per transfer whatever the file's size. A blob streams in under a null key (each chunk committed on
/// its own, so a 500 MB upload is not one long transaction) and is published by setting its key, which the unique
/// index makes fail for a second blob under one key (error 1062). <paramref name="connectionString"/> is a Connector/NET
/// connection string (<see cref="Data.MySqlConnectionString"/>); connections come from its pool.
/// </summary>
public sealed class MySqlBlobStore(string connectionString, TimeProvider time) : IBlobStore
{
    /// <summary>Bytes per stored chunk (1 MiB, as on PostgreSQL).</summary>
    public const int ChunkBytes = PostgresBlobStore.ChunkBytes;

    // ER_DUP_ENTRY: https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html
    private const int DuplicateKey = 1062;

    public async Task<StagedBlob> StageAsync(string key, Stream source, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        BlobKeys.Checked(key);
        var id = Guid.NewGuid();
        await using var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, "INSERT INTO blobs (`Id`, `Key`, `Length`, `CreationDate`) VALUES (@id, NULL, 0, @date)", ct, ("@id", id.ToString("D")), ("@date", time.GetUtcNow().UtcDateTime));
        try
        {
            var (total, head) = await Chunks.SplitAsync(source, maxBytes, ChunkBytes, async (sequence, bytes) =>
            {
                await using var chunk = Command(connection, "INSERT INTO blob_chunks (`BlobId`, `Sequence`, `Data`) VALUES (@id, @sequence, @data)", ("@id", id.ToString("D")), ("@sequence", sequence));
                // Connector/NET sends a whole byte[]: the last, shorter chunk is copied to its length.
                chunk.Parameters.Add(new MySqlParameter("@data", MySqlDbType.LongBlob) { Value = bytes.Count == bytes.Array!.Length ? bytes.Array : bytes.ToArray() });
                await chunk.ExecuteNonQueryAsync(ct);
            }, ct);

            await ExecuteAsync(connection, "UPDATE blobs SET `Length` = @length WHERE `Id` = @id", ct, ("@id", id.ToString("D")), ("@length", total));
            return new StagedBlob(key, id.ToString("D"), total, head);
        }
        catch
        {
            await DeleteByIdAsync(id);
            throw;
        }
    }

    public async Task CommitAsync(StagedBlob staged, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var id = Guid.Parse(staged.Location);
        var key = BlobKeys.Checked(staged.Key);
        try
        {
            await using var connection = await OpenAsync(ct);
            // Connector/NET counts matched rows (UseAffectedRows=false), so 1 means the staged row was there.
            if (await ExecuteAsync(connection, "UPDATE blobs SET `Key` = @key WHERE `Id` = @id AND `Key` IS NULL", ct, ("@id", id.ToString("D")), ("@key", key)) != 1)
            {
                // Discarded, or removed by the sweep as abandoned: there is nothing left to publish.
                throw new IOException($"The staged file for {staged.Key} is gone.");
            }
        }
        catch (MySqlException e) when (e.Number == DuplicateKey)
        {
            await DiscardAsync(staged);
            throw new BlobExistsException(staged.Key);
        }
    }

    public Task DiscardAsync(StagedBlob staged)
    {
        ArgumentNullException.ThrowIfNull(staged);
        return DeleteByIdAsync(Guid.Parse(staged.Location));
    }

    public async Task<BlobContent?> OpenReadAsync(string key, CancellationToken ct)
    {
        var checkedKey = BlobKeys.Checked(key);
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "SELECT `Id`, `Length` FROM blobs WHERE `Key` = @key", ("@key", checkedKey));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        // Connector/NET reads a char(36) column as a Guid (OldGuids=false).
        var id = reader.GetGuid(0);
        var length = reader.GetInt64(1);
        return new BlobContent(new ChunkStream((sequence, token) => FetchAsync(id, sequence, token), length), length);
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        var checkedKey = BlobKeys.Checked(key);
        await using var connection = await OpenAsync(ct);
        // The chunks go with their blob (ON DELETE CASCADE).
        await ExecuteAsync(connection, "DELETE FROM blobs WHERE `Key` = @key", ct, ("@key", checkedKey));
    }

    public async Task DeletePrefixAsync(string prefix, CancellationToken ct)
    {
        // Keys hold only [a-z0-9-/] (BlobKeys), so the prefix has no LIKE wildcard to escape.
        var pattern = BlobKeys.Checked(prefix) + "/%";
        await using var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, "DELETE FROM blobs WHERE `Key` LIKE @prefix", ct, ("@prefix", pattern));
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "SELECT `Key`, `Length`, `CreationDate` FROM blobs WHERE `Key` IS NOT NULL");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new BlobInfo(reader.GetString(0), reader.GetInt64(1), DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc));
        }
    }

    public async Task<int> DeleteAbandonedAsync(DateTime before, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await ExecuteAsync(connection, "DELETE FROM blobs WHERE `Key` IS NULL AND `CreationDate` < @before", ct, ("@before", before));
    }

    private async Task DeleteByIdAsync(Guid id)
    {
        // Not cancellable: it cleans up after a cancelled or failed upload.
        await using var connection = await OpenAsync(CancellationToken.None);
        await ExecuteAsync(connection, "DELETE FROM blobs WHERE `Id` = @id", CancellationToken.None, ("@id", id.ToString("D")));
    }

    private async Task<byte[]> FetchAsync(Guid id, int sequence, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "SELECT `Data` FROM blob_chunks WHERE `BlobId` = @id AND `Sequence` = @sequence", ("@id", id.ToString("D")), ("@sequence", sequence));
        return await command.ExecuteScalarAsync(ct) as byte[]
            ?? throw new IOException($"Blob {id} is missing chunk {sequence}.");
    }

    private async Task<MySqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new MySqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static MySqlCommand Command(MySqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = new MySqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(MySqlConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
