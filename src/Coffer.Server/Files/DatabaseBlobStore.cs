using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using MySql.Data.MySqlClient;
using Npgsql;

namespace Coffer.Server.Files;

/// <summary>
/// Blobs in the shared database, PostgreSQL or MySQL/MariaDB (tables <c>blobs</c> and <c>blob_chunks</c>, see
/// <see cref="StoredBlob"/>), so every node of a cluster serves every file with no shared file system. Bytes stream in
/// and out in chunks of <see cref="ChunkBytes"/>: one statement and one chunk in memory per step, whatever the file's
/// size (far under MariaDB's default <c>max_allowed_packet</c> of 16 MiB, MySQL's 64 MiB). A blob streams in under a
/// null key (each chunk committed on its own, so a 500 MB upload is not one long transaction) and is published by
/// setting its key, which the unique index makes fail for a second blob under one key. Build one with
/// <see cref="Postgres"/> or <see cref="MySql"/>; the two differ only in how a connection is opened, how identifiers are
/// quoted, how an id is stored (PostgreSQL <c>uuid</c>, MySQL <c>char(36)</c>) and how a duplicate key is reported.
/// </summary>
public sealed class DatabaseBlobStore : IBlobStore
{
    /// <summary>Bytes per stored chunk (1 MiB): large enough that a 500 MB file is 500 rows, small enough to hold in memory.</summary>
    public const int ChunkBytes = 1024 * 1024;

    private readonly Func<CancellationToken, Task<DbConnection>> open;
    private readonly Func<string, string> dialect;
    private readonly Func<Guid, object> storedId;
    private readonly Func<DbException, bool> isDuplicateKey;
    private readonly TimeProvider time;

    private DatabaseBlobStore(Func<CancellationToken, Task<DbConnection>> open, Func<string, string> dialect, Func<Guid, object> storedId,
        Func<DbException, bool> isDuplicateKey, TimeProvider time)
    {
        this.open = open;
        this.dialect = dialect;
        this.storedId = storedId;
        this.isDuplicateKey = isDuplicateKey;
        this.time = time;
    }

    /// <summary>The store on PostgreSQL, connections from <paramref name="dataSource"/>'s pool.</summary>
    public static DatabaseBlobStore Postgres(NpgsqlDataSource dataSource, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return new(async ct => await dataSource.OpenConnectionAsync(ct), sql => sql, id => id,
            e => e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }, time);
    }

    /// <summary>
    /// The store on MySQL or MariaDB; <paramref name="connectionString"/> is a Connector/NET connection string
    /// (<see cref="Data.MySqlConnectionString"/>), connections come from its pool. Ids are <c>char(36)</c>, which
    /// Connector/NET reads back as a Guid (<c>OldGuids=false</c>).
    /// </summary>
    public static DatabaseBlobStore MySql(string connectionString, TimeProvider time) =>
        // ER_DUP_ENTRY (1062): https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html
        new(async ct =>
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
        }, sql => sql.Replace('"', '`'), id => id.ToString("D"), e => e is MySqlException { Number: 1062 }, time);

    public async Task<StagedBlob> StageAsync(string key, Stream source, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        BlobKeys.Checked(key);
        var id = Guid.NewGuid();
        await using var connection = await open(ct);
        await ExecuteAsync(connection, """INSERT INTO blobs ("Id", "Key", "Length", "CreationDate") VALUES (@id, NULL, 0, @date)""", ct,
            ("@id", storedId(id)), ("@date", time.GetUtcNow().UtcDateTime));
        try
        {
            var (total, head) = await Chunks.SplitAsync(source, maxBytes, ChunkBytes, async (sequence, bytes) =>
            {
                // Both providers send a whole byte[]: the last, shorter chunk is copied to its length.
                var data = bytes.Count == bytes.Array!.Length ? bytes.Array : bytes.ToArray();
                await using var chunk = Command(connection, """INSERT INTO blob_chunks ("BlobId", "Sequence", "Data") VALUES (@id, @sequence, @data)""",
                    ("@id", storedId(id)), ("@sequence", sequence), ("@data", data));
                await chunk.ExecuteNonQueryAsync(ct);
            }, ct);

            await ExecuteAsync(connection, """UPDATE blobs SET "Length" = @length WHERE "Id" = @id""", ct, ("@id", storedId(id)), ("@length", total));
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
            await using var connection = await open(ct);
            // MySQL counts matched rows (Coffer sets UseAffectedRows=false), so on both 1 means the staged row was there.
            if (await ExecuteAsync(connection, """UPDATE blobs SET "Key" = @key WHERE "Id" = @id AND "Key" IS NULL""", ct, ("@id", storedId(id)), ("@key", key)) != 1)
            {
                // Discarded, or removed by the sweep as abandoned: there is nothing left to publish.
                throw new IOException($"The staged file for {staged.Key} is gone.");
            }
        }
        catch (DbException e) when (isDuplicateKey(e))
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
        await using var connection = await open(ct);
        await using var command = Command(connection, """SELECT "Id", "Length" FROM blobs WHERE "Key" = @key""", ("@key", checkedKey));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var id = reader.GetGuid(0);
        var length = reader.GetInt64(1);
        return new BlobContent(new ChunkStream((sequence, token) => FetchAsync(id, sequence, token), length), length);
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        var checkedKey = BlobKeys.Checked(key);
        await using var connection = await open(ct);
        // The chunks go with their blob (ON DELETE CASCADE).
        await ExecuteAsync(connection, """DELETE FROM blobs WHERE "Key" = @key""", ct, ("@key", checkedKey));
    }

    public async Task DeletePrefixAsync(string prefix, CancellationToken ct)
    {
        // Keys hold only [a-z0-9-/] (BlobKeys), so the prefix has no LIKE wildcard to escape.
        var pattern = BlobKeys.Checked(prefix) + "/%";
        await using var connection = await open(ct);
        await ExecuteAsync(connection, """DELETE FROM blobs WHERE "Key" LIKE @prefix""", ct, ("@prefix", pattern));
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await open(ct);
        await using var command = Command(connection, """SELECT "Key", "Length", "CreationDate" FROM blobs WHERE "Key" IS NOT NULL""");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new BlobInfo(reader.GetString(0), reader.GetInt64(1), DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc));
        }
    }

    public async Task<int> DeleteAbandonedAsync(DateTime before, CancellationToken ct)
    {
        await using var connection = await open(ct);
        return await ExecuteAsync(connection, """DELETE FROM blobs WHERE "Key" IS NULL AND "CreationDate" < @before""", ct, ("@before", before));
    }

    private async Task DeleteByIdAsync(Guid id)
    {
        // Not cancellable: it cleans up after a cancelled or failed upload.
        await using var connection = await open(CancellationToken.None);
        await ExecuteAsync(connection, """DELETE FROM blobs WHERE "Id" = @id""", CancellationToken.None, ("@id", storedId(id)));
    }

    private async Task<byte[]> FetchAsync(Guid id, int sequence, CancellationToken ct)
    {
        await using var connection = await open(ct);
        await using var command = Command(connection, """SELECT "Data" FROM blob_chunks WHERE "BlobId" = @id AND "Sequence" = @sequence""",
            ("@id", storedId(id)), ("@sequence", sequence));
        return await command.ExecuteScalarAsync(ct) as byte[]
            ?? throw new IOException($"Blob {id} is missing chunk {sequence}.");
    }

    /// <summary>A command in this database's quoting; a <c>byte[]</c> value is sent as binary.</summary>
    private DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = dialect(sql);
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            if (value is byte[])
            {
                parameter.DbType = DbType.Binary;
            }

            command.Parameters.Add(parameter);
        }

        return command;
    }

    private async Task<int> ExecuteAsync(DbConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
