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
            var buffer = new byte[ChunkBytes];
            long total = 0;
            var head = Array.Empty<byte>();
            for (var sequence = 0; ; sequence++)
            {
                var filled = await source.ReadAtLeastAsync(buffer, ChunkBytes, throwOnEndOfStream: false, ct);
                if (filled == 0)
                {
                    break;
                }

                total += filled;
                if (total > maxBytes)
                {
                    throw new BlobTooLargeException(maxBytes);
                }

                if (sequence == 0)
                {
                    head = buffer.AsSpan(0, Math.Min(filled, StagedBlob.HeadBytes)).ToArray();
                }

                await using var chunk = new NpgsqlCommand("""INSERT INTO blob_chunks ("BlobId", "Sequence", "Data") VALUES ($1, $2, $3)""", connection);
                chunk.Parameters.Add(new() { Value = id });
                chunk.Parameters.Add(new() { Value = sequence });
                chunk.Parameters.Add(new() { Value = new ArraySegment<byte>(buffer, 0, filled), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
                await chunk.ExecuteNonQueryAsync(ct);
                if (filled < ChunkBytes)
                {
                    break;
                }
            }

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
        return new BlobContent(new ChunkStream(dataSource, reader.GetGuid(0), length), length);
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

    /// <summary>
    /// Reads a blob chunk by chunk, one short query per chunk, so a slow download holds no connection between chunks.
    /// The next chunk is fetched while the current one is sent, so the database and the network work at the same time;
    /// at most two chunks are in memory per download.
    /// </summary>
    private sealed class ChunkStream(NpgsqlDataSource source, Guid id, long length) : Stream
    {
        private readonly CancellationTokenSource stop = new();
        private byte[] chunk = [];
        private Task<byte[]>? ahead;
        private int offset;
        private int next;
        private long position;
        private bool closed;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (offset == chunk.Length)
            {
                if (position >= length)
                {
                    return 0;
                }

                chunk = await (ahead ?? FetchAsync(next++)).WaitAsync(cancellationToken);
                offset = 0;
                ahead = position + chunk.Length < length ? FetchAsync(next++) : null;
            }

            var count = Math.Min(buffer.Length, chunk.Length - offset);
            chunk.AsMemory(offset, count).CopyTo(buffer);
            offset += count;
            position += count;
            return count;
        }

        private async Task<byte[]> FetchAsync(int sequence)
        {
            await using var command = source.CreateCommand("""SELECT "Data" FROM blob_chunks WHERE "BlobId" = $1 AND "Sequence" = $2""");
            command.Parameters.Add(new() { Value = id });
            command.Parameters.Add(new() { Value = sequence });
            return await command.ExecuteScalarAsync(stop.Token) as byte[]
                ?? throw new IOException($"Blob {id} is missing chunk {sequence}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !closed)
            {
                closed = true;
                // A download that ends early (the client went away) stops its read-ahead; its outcome is observed here.
                stop.Cancel();
                if (ahead is { } pending)
                {
                    _ = pending.ContinueWith(
                        static (task, state) =>
                        {
                            _ = task.Exception;
                            ((CancellationTokenSource)state!).Dispose();
                        },
                        stop, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                else
                {
                    stop.Dispose();
                }
            }

            base.Dispose(disposing);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
