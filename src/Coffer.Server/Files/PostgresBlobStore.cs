using System.Runtime.CompilerServices;
using Npgsql;

namespace Coffer.Server.Files;

/// <summary>
/// Blobs in PostgreSQL (tables <c>blobs</c> and <c>blob_chunks</c>, see <see cref="StoredBlob"/>), so every node of
/// a cluster serves every file with no shared file system. Bytes stream in and out in chunks of
/// <see cref="ChunkBytes"/>: one chunk in memory per transfer, whatever the file's size. A blob streams in under a
/// null key (each chunk committed on its own, so a 500 MB upload is not one long transaction) and is published by
/// setting its key, which the unique index makes fail for a second blob under one key.
/// </summary>
public sealed class PostgresBlobStore(NpgsqlDataSource dataSource, TimeProvider time) : IBlobStore
{
    /// <summary>Bytes per stored chunk (1 MiB): large enough that a 500 MB file is 500 rows, small enough to hold in memory.</summary>
    public const int ChunkBytes = 1024 * 1024;

    public async Task<StagedBlob> StageAsync(string key, Stream source, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        BlobKeys.Checked(key);
        var id = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var insert = new NpgsqlCommand("""INSERT INTO blobs ("Id", "Key", "Length", "CreationDate") VALUES ($1, NULL, 0, $2)""", connection))
        {
            insert.Parameters.Add(new() { Value = id });
            insert.Parameters.Add(new() { Value = time.GetUtcNow().UtcDateTime });
            await insert.ExecuteNonQueryAsync(ct);
        }

        try
        {
            var (total, head) = await Chunks.SplitAsync(source, maxBytes, ChunkBytes, async (sequence, bytes) =>
            {
                await using var chunk = new NpgsqlCommand("""INSERT INTO blob_chunks ("BlobId", "Sequence", "Data") VALUES ($1, $2, $3)""", connection);
                chunk.Parameters.Add(new() { Value = id });
                chunk.Parameters.Add(new() { Value = sequence });
                chunk.Parameters.Add(new() { Value = bytes, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
                await chunk.ExecuteNonQueryAsync(ct);
            }, ct);

            await using (var length = new NpgsqlCommand("""UPDATE blobs SET "Length" = $2 WHERE "Id" = $1""", connection))
            {
                length.Parameters.Add(new() { Value = id });
                length.Parameters.Add(new() { Value = total });
                await length.ExecuteNonQueryAsync(ct);
            }

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
        try
        {
            await using var command = dataSource.CreateCommand("""UPDATE blobs SET "Key" = $2 WHERE "Id" = $1 AND "Key" IS NULL""");
            command.Parameters.Add(new() { Value = Guid.Parse(staged.Location) });
            command.Parameters.Add(new() { Value = BlobKeys.Checked(staged.Key) });
            if (await command.ExecuteNonQueryAsync(ct) != 1)
            {
                // Discarded, or removed by the sweep as abandoned: there is nothing left to publish.
                throw new IOException($"The staged file for {staged.Key} is gone.");
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
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
        await using var command = dataSource.CreateCommand("""SELECT "Id", "Length" FROM blobs WHERE "Key" = $1""");
        command.Parameters.Add(new() { Value = BlobKeys.Checked(key) });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var length = reader.GetInt64(1);
        var id = reader.GetGuid(0);
        return new BlobContent(new ChunkStream((sequence, token) => FetchAsync(id, sequence, token), length), length);
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""DELETE FROM blobs WHERE "Key" = $1""");
        command.Parameters.Add(new() { Value = BlobKeys.Checked(key) });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task DeletePrefixAsync(string prefix, CancellationToken ct)
    {
        // Keys hold only [a-z0-9-/] (BlobKeys), so the prefix has no LIKE wildcard to escape.
        await using var command = dataSource.CreateCommand("""DELETE FROM blobs WHERE "Key" LIKE $1""");
        command.Parameters.Add(new() { Value = BlobKeys.Checked(prefix) + "/%" });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""SELECT "Key", "Length", "CreationDate" FROM blobs WHERE "Key" IS NOT NULL""");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new BlobInfo(reader.GetString(0), reader.GetInt64(1), DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc));
        }
    }

    public async Task<int> DeleteAbandonedAsync(DateTime before, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""DELETE FROM blobs WHERE "Key" IS NULL AND "CreationDate" < $1""");
        command.Parameters.Add(new() { Value = before });
        return await command.ExecuteNonQueryAsync(ct);
    }

    private async Task DeleteByIdAsync(Guid id)
    {
        // Not cancellable: it cleans up after a cancelled or failed upload.
        await using var command = dataSource.CreateCommand("""DELETE FROM blobs WHERE "Id" = $1""");
        command.Parameters.Add(new() { Value = id });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private async Task<byte[]> FetchAsync(Guid id, int sequence, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""SELECT "Data" FROM blob_chunks WHERE "BlobId" = $1 AND "Sequence" = $2""");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = sequence });
        return await command.ExecuteScalarAsync(ct) as byte[]
            ?? throw new IOException($"Blob {id} is missing chunk {sequence}.");
    }
}
