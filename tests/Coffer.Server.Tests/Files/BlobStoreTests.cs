using System.Security.Cryptography;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Files;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MySql.Data.MySqlClient;
using Npgsql;

namespace Coffer.Server.Tests.Files;

/// <summary>
/// What every <see cref="IBlobStore"/> promises (Files/IBlobStore.cs): staged bytes invisible until committed, no
/// overwrite, a byte cap that keeps nothing, prefix and abandoned deletion, and keys that cannot name anything outside
/// the store. Run against every store: <see cref="FileSystemBlobStoreTests"/> and <see cref="PostgresBlobStoreTests"/> in every run,
/// <see cref="MySqlBlobStoreTests"/> in the MySQL run.
/// </summary>
public abstract class BlobStoreTests
{
    protected abstract IBlobStore Store { get; }

    private static DateTime Now => TimeProvider.System.GetUtcNow().UtcDateTime;

    protected static string NewKey() => BlobKeys.Attachment(Guid.NewGuid(), Attachment.NewId());

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(DatabaseBlobStore.ChunkBytes)]
    [InlineData(DatabaseBlobStore.ChunkBytes + 1)]
    [InlineData((5 * DatabaseBlobStore.ChunkBytes / 2) + 17)]
    public async Task StageThenCommit_OfAnySize_ReadsBackTheSameBytes(int size)
    {
        var key = NewKey();
        var bytes = RandomNumberGenerator.GetBytes(size);

        var staged = await Store.StageAsync(key, new MemoryStream(bytes), size, default);
        await Store.CommitAsync(staged, default);

        Assert.Equal(size, staged.Length);
        Assert.Equal(bytes.Take(StagedBlob.HeadBytes), staged.Head);
        Assert.Equal(bytes, await ReadAsync(key));
        Assert.Contains(await ListAsync(), b => b.Key == key && b.Length == size);
    }

    [Fact]
    public async Task Read_StoppedEarly_AndTheBlobThenDeleted_LeavesTheStoreWorking()
    {
        // A download the client abandons after its first bytes (PostgreSQL: with the next chunk being read ahead).
        var key = NewKey();
        var size = (3 * DatabaseBlobStore.ChunkBytes) + 5;
        var bytes = RandomNumberGenerator.GetBytes(size);
        await Store.CommitAsync(await Store.StageAsync(key, new MemoryStream(bytes), size, default), default);

        await using (var content = await Store.OpenReadAsync(key, default))
        {
            var start = new byte[100];
            await content!.Stream.ReadExactlyAsync(start);
            Assert.Equal(bytes.Take(100), start);
        }

        await Store.DeleteAsync(key, default);
        Assert.Null(await Store.OpenReadAsync(key, default));
        var other = NewKey();
        await Store.CommitAsync(await Store.StageAsync(other, new MemoryStream(bytes), size, default), default);
        Assert.Equal(bytes, await ReadAsync(other));
    }

    [Fact]
    public async Task Staged_BeforeCommit_IsNeitherReadableNorListed()
    {
        var key = NewKey();

        var staged = await Store.StageAsync(key, new MemoryStream(new byte[100]), 100, default);

        Assert.Null(await Store.OpenReadAsync(key, default));
        Assert.DoesNotContain(await ListAsync(), b => b.Key == key);
        await Store.DiscardAsync(staged);
    }

    [Fact]
    public async Task Commit_UnderAKeyThatExists_ThrowsAndKeepsTheFirstFile()
    {
        var key = NewKey();
        var first = RandomNumberGenerator.GetBytes(3000);
        await Store.CommitAsync(await Store.StageAsync(key, new MemoryStream(first), 10_000, default), default);
        var second = await Store.StageAsync(key, new MemoryStream(RandomNumberGenerator.GetBytes(2000)), 10_000, default);

        await Assert.ThrowsAsync<BlobExistsException>(() => Store.CommitAsync(second, default));

        Assert.Equal(first, await ReadAsync(key));
        // The refused upload was discarded, not left staged.
        Assert.Equal(0, await Store.DeleteAbandonedAsync(Now.AddHours(1), default));
    }

    [Theory]
    [InlineData(1000, 999)]
    [InlineData((2 * DatabaseBlobStore.ChunkBytes) + 5, 2 * DatabaseBlobStore.ChunkBytes)]
    public async Task Stage_PastMaxBytes_ThrowsTooLargeAndKeepsNothing(int size, int maxBytes)
    {
        var key = NewKey();

        var refused = await Assert.ThrowsAsync<BlobTooLargeException>(() => Store.StageAsync(key, new MemoryStream(new byte[size]), maxBytes, default));

        Assert.Equal(maxBytes, refused.Limit);
        Assert.Null(await Store.OpenReadAsync(key, default));
        Assert.Equal(0, await Store.DeleteAbandonedAsync(Now.AddHours(1), default));
    }

    [Fact]
    public async Task Stage_OfExactlyMaxBytes_IsAccepted()
    {
        var key = NewKey();

        var staged = await Store.StageAsync(key, new MemoryStream(new byte[4096]), 4096, default);
        await Store.CommitAsync(staged, default);

        Assert.Equal(4096, (await ReadAsync(key)).Length);
    }

    [Fact]
    public async Task Discard_DropsTheStagedBytes_AndALaterCommitFails()
    {
        var key = NewKey();
        var staged = await Store.StageAsync(key, new MemoryStream(new byte[500]), 500, default);

        await Store.DiscardAsync(staged);
        await Store.DiscardAsync(staged);

        await Assert.ThrowsAnyAsync<IOException>(() => Store.CommitAsync(staged, default));
        Assert.Null(await Store.OpenReadAsync(key, default));
        Assert.Equal(0, await Store.DeleteAbandonedAsync(Now.AddHours(1), default));
    }

    [Fact]
    public async Task Delete_RemovesTheFile_AndAMissingOneIsNotAnError()
    {
        var key = NewKey();
        await Store.CommitAsync(await Store.StageAsync(key, new MemoryStream(new byte[10]), 10, default), default);

        await Store.DeleteAsync(key, default);
        await Store.DeleteAsync(key, default);
        await Store.DeleteAsync(NewKey(), default);
        await Store.DeletePrefixAsync(BlobKeys.AttachmentsOf(Guid.NewGuid()), default);

        Assert.Null(await Store.OpenReadAsync(key, default));
        Assert.DoesNotContain(await ListAsync(), b => b.Key == key);
    }

    [Fact]
    public async Task DeletePrefix_RemovesEveryFileUnderThePrefix_AndNothingElse()
    {
        var item = Guid.NewGuid();
        var other = Guid.NewGuid();
        string[] inside = [BlobKeys.Attachment(item, Attachment.NewId()), BlobKeys.Attachment(item, Attachment.NewId())];
        string[] outside = [BlobKeys.Attachment(other, Attachment.NewId()), BlobKeys.SendFile(item, Attachment.NewId())];
        foreach (var key in inside.Concat(outside))
        {
            await Store.CommitAsync(await Store.StageAsync(key, new MemoryStream(new byte[32]), 32, default), default);
        }

        await Store.DeletePrefixAsync(BlobKeys.AttachmentsOf(item), default);

        foreach (var key in inside)
        {
            Assert.Null(await Store.OpenReadAsync(key, default));
        }

        foreach (var key in outside)
        {
            Assert.Equal(32, (await ReadAsync(key)).Length);
        }
    }

    [Fact]
    public async Task DeletePrefix_OfAShorterSegment_DoesNotMatchLongerNames()
    {
        var key = "attachments/abcd/file1";
        await Store.CommitAsync(await Store.StageAsync(key, new MemoryStream(new byte[8]), 8, default), default);

        await Store.DeletePrefixAsync("attachments/abc", default);

        Assert.NotNull(await ReadAsync(key));
        await Store.DeleteAsync(key, default);
    }

    [Fact]
    public async Task DeleteAbandoned_RemovesStagedUploadsStartedBeforeTheCutoff_AndNeverCommittedOnes()
    {
        var committedKey = NewKey();
        await Store.CommitAsync(await Store.StageAsync(committedKey, new MemoryStream(new byte[64]), 64, default), default);
        var staged = await Store.StageAsync(NewKey(), new MemoryStream(new byte[64]), 64, default);

        Assert.Equal(0, await Store.DeleteAbandonedAsync(Now.AddHours(-1), default));
        Assert.Equal(1, await Store.DeleteAbandonedAsync(Now.AddMinutes(1), default));

        await Assert.ThrowsAnyAsync<IOException>(() => Store.CommitAsync(staged, default));
        Assert.Equal(64, (await ReadAsync(committedKey)).Length);
    }

    [Fact]
    public async Task Stage_WhenTheSourceFails_KeepsNothing()
    {
        var key = NewKey();

        await Assert.ThrowsAsync<IOException>(() => Store.StageAsync(key, new FailingStream(3 * DatabaseBlobStore.ChunkBytes / 2), 10_000_000, default));

        Assert.Null(await Store.OpenReadAsync(key, default));
        Assert.Equal(0, await Store.DeleteAbandonedAsync(Now.AddHours(1), default));
    }

    public static TheoryData<string> TrickKeys() =>
    [
        "../outside", "attachments/../../outside", "attachments/..", "attachments/%2e%2e/outside", "attachments/%2E%2E%2Foutside",
        "attachments/a\0b/c", "/etc/passwd", "/tmp/outside", "attachments\\..\\outside", "attachments/./x", "attachments//x",
        "Attachments/A/B", "attachments/a/b/c/d", "attachments/a b/c", "", "attachments/", "attachments/a/" + new string('a', 65),
    ];

    [Theory]
    [MemberData(nameof(TrickKeys))]
    public async Task EveryOperation_OnAKeyOutsideTheScheme_IsRefused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.StageAsync(key, new MemoryStream(new byte[16]), 16, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeletePrefixAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(new StagedBlob(key, Guid.NewGuid().ToString("D"), 16, []), default));
    }

    protected async Task<byte[]> ReadAsync(string key)
    {
        await using var content = await Store.OpenReadAsync(key, default);
        Assert.NotNull(content);
        using var copy = new MemoryStream();
        await content.Stream.CopyToAsync(copy);
        Assert.Equal(content.Length, copy.Length);
        return copy.ToArray();
    }

    protected async Task<List<BlobInfo>> ListAsync()
    {
        var all = new List<BlobInfo>();
        await foreach (var blob in Store.ListAsync(default))
        {
            all.Add(blob);
        }

        return all;
    }

    /// <summary>A body that breaks after <paramref name="failAfter"/> bytes, as a cut connection does.</summary>
    private sealed class FailingStream(int failAfter) : Stream
    {
        private int sent;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => sent; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (sent >= failAfter)
            {
                throw new IOException("The connection was cut.");
            }

            var n = Math.Min(count, failAfter - sent);
            sent += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The SQLite store: files under a folder, temporary files beside their final name, modes 0600/0700.</summary>
public sealed class FileSystemBlobStoreTests : BlobStoreTests, IDisposable
{
    private readonly string folder = CofferFactory.CreateTempFolder();
    private readonly FileSystemBlobStore store;

    public FileSystemBlobStoreTests()
    {
        store = new FileSystemBlobStore(Path.Combine(folder, "files"));
    }

    protected override IBlobStore Store => store;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Staged_IsAHiddenTemporaryFileInTheFinalFolder_OwnerOnly_RenamedOnCommit()
    {
        var cipher = Guid.NewGuid();
        var key = BlobKeys.Attachment(cipher, Attachment.NewId());

        var staged = await store.StageAsync(key, new MemoryStream(new byte[100]), 100, default);

        var itemFolder = Path.Combine(store.Root, "attachments", cipher.ToString("D"));
        var temp = Assert.Single(Directory.GetFiles(itemFolder));
        Assert.StartsWith(".", Path.GetFileName(temp), StringComparison.Ordinal);
        Assert.EndsWith(".tmp", temp, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(itemFolder));

        await store.CommitAsync(staged, default);

        Assert.Equal(Path.Combine(itemFolder, key.Split('/')[2]), Assert.Single(Directory.GetFiles(itemFolder)));
    }

    [Fact]
    public async Task DeleteAbandoned_RemovesALeftoverTemporaryFile_AndEmptyFolders_ButNotBlobs()
    {
        var kept = NewKey();
        await store.CommitAsync(await store.StageAsync(kept, new MemoryStream(new byte[10]), 10, default), default);
        // What a killed server leaves: a temporary file in an item's folder, last written an hour ago.
        var crashed = Path.Combine(store.Root, "attachments", Guid.NewGuid().ToString("D"));
        Directory.CreateDirectory(crashed);
        var leftover = Path.Combine(crashed, $".{Attachment.NewId()}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllBytesAsync(leftover, new byte[1000]);
        var anHourAgo = TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(-1);
        File.SetLastWriteTimeUtc(leftover, anHourAgo);
        Directory.SetLastWriteTimeUtc(crashed, anHourAgo);

        Assert.Equal(1, await store.DeleteAbandonedAsync(anHourAgo.AddMinutes(1), default));

        Assert.False(File.Exists(leftover));
        Assert.False(Directory.Exists(crashed));
        Assert.Equal(10, (await ReadAsync(kept)).Length);
    }

    [Fact]
    public async Task List_SkipsTemporaryAndForeignFiles()
    {
        var key = NewKey();
        await store.CommitAsync(await store.StageAsync(key, new MemoryStream(new byte[10]), 10, default), default);
        _ = await store.StageAsync(NewKey(), new MemoryStream(new byte[10]), 10, default);
        await File.WriteAllTextAsync(Path.Combine(store.Root, "README.txt"), "not a blob");

        var listed = await ListAsync();

        Assert.Equal(key, Assert.Single(listed).Key);
    }

    [Theory]
    [MemberData(nameof(TrickKeys))]
    public async Task TrickKeys_CreateNothingOnDisk(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => store.StageAsync(key, new MemoryStream(new byte[16]), 16, default));

        // Refused before any folder is made: the data folder is as empty as before.
        Assert.Empty(Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories));
    }

    public void Dispose() => CofferFactory.DeleteFolder(folder);
}

/// <summary>
/// The PostgreSQL store, on a database of its own migrated as a server would (tables <c>blobs</c> and
/// <c>blob_chunks</c>), in the cluster <c>COFFER_TEST_POSTGRES</c> names or a throwaway one. Alone in its collection,
/// run after the others: Npgsql's pool metrics are process-wide, and a SQLite run's servers must not report this pool
/// (MetricsTests).
/// </summary>
[Collection(Collection)]
public sealed class PostgresBlobStoreTests(PostgresBlobStoreTests.Database database) : BlobStoreTests, IClassFixture<PostgresBlobStoreTests.Database>
{
    public const string Collection = "PostgreSQL blob store";

    protected override IBlobStore Store => database.Store;

    [Fact]
    public async Task AFile_IsStoredInChunksOfOneMebibyte_UnderANullKeyUntilCommitted()
    {
        var key = NewKey();

        var staged = await Store.StageAsync(key, new MemoryStream(new byte[(2 * DatabaseBlobStore.ChunkBytes) + 1]), int.MaxValue, default);

        Assert.Null(await database.ScalarAsync("""SELECT "Key" FROM blobs WHERE "Id" = $1""", Guid.Parse(staged.Location)));
        Assert.Equal(3L, await database.ScalarAsync("""SELECT count(*) FROM blob_chunks WHERE "BlobId" = $1""", Guid.Parse(staged.Location)));
        await Store.CommitAsync(staged, default);
        Assert.Equal(key, await database.ScalarAsync("""SELECT "Key" FROM blobs WHERE "Id" = $1""", Guid.Parse(staged.Location)));
    }

    [Fact]
    public async Task Delete_TakesTheChunksWithTheBlob()
    {
        var key = NewKey();
        var staged = await Store.StageAsync(key, new MemoryStream(new byte[DatabaseBlobStore.ChunkBytes + 1]), int.MaxValue, default);
        await Store.CommitAsync(staged, default);

        await Store.DeleteAsync(key, default);

        Assert.Equal(0L, await database.ScalarAsync("""SELECT count(*) FROM blob_chunks WHERE "BlobId" = $1""", Guid.Parse(staged.Location)));
    }

    /// <summary>One migrated database for the class; tests use keys of their own.</summary>
    public sealed class Database : IAsyncLifetime
    {
        private readonly PostgresFixture cluster = new();
        private NpgsqlDataSource? source;

        public IBlobStore Store { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await cluster.InitializeAsync();
            source = NpgsqlDataSource.Create(await cluster.CreateDatabaseAsync());
            // Through this data source, which goes with the class: EF would keep one of its own for the whole process.
            await using (var db = new PostgresCofferDb(new DbContextOptionsBuilder<PostgresCofferDb>().UseNpgsql(source)
                .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)).Options))
            {
                await db.Database.MigrateAsync();
            }

            Store = DatabaseBlobStore.Postgres(source, TimeProvider.System);
        }

        public async Task<object?> ScalarAsync(string sql, Guid id)
        {
            await using var command = source!.CreateCommand(sql);
            command.Parameters.Add(new() { Value = id });
            var value = await command.ExecuteScalarAsync();
            return value is DBNull ? null : value;
        }

        public async Task DisposeAsync()
        {
            if (source is not null)
            {
                await source.DisposeAsync();
            }

            await cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(PostgresBlobStoreTests.Collection, DisableParallelization = true)]
public sealed class PostgresBlobStoreRunsAlone;

/// <summary>
/// The MySQL/MariaDB store, on a database of its own (migrated as a server would) on the server that
/// <c>COFFER_TEST_MYSQL</c> names. Trait <c>Provider=MySqlOnly</c>: the MySQL run of <c>./test.sh</c> runs it.
/// </summary>
[Trait("Provider", "MySqlOnly")]
public sealed class MySqlBlobStoreTests(MySqlBlobStoreTests.Database database) : BlobStoreTests, IClassFixture<MySqlBlobStoreTests.Database>
{
    protected override IBlobStore Store => database.Store;

    [Fact]
    public async Task AFile_IsStoredInChunksOfOneMebibyte_UnderANullKeyUntilCommitted()
    {
        var key = NewKey();

        var staged = await Store.StageAsync(key, new MemoryStream(new byte[(2 * DatabaseBlobStore.ChunkBytes) + 1]), int.MaxValue, default);

        Assert.Null(await database.ScalarAsync("SELECT `Key` FROM blobs WHERE `Id` = @id", Guid.Parse(staged.Location)));
        Assert.Equal(3L, await database.ScalarAsync("SELECT count(*) FROM blob_chunks WHERE `BlobId` = @id", Guid.Parse(staged.Location)));
        Assert.Equal((long)DatabaseBlobStore.ChunkBytes, await database.ScalarAsync("SELECT max(length(`Data`)) FROM blob_chunks WHERE `BlobId` = @id", Guid.Parse(staged.Location)));
        await Store.CommitAsync(staged, default);
        Assert.Equal(key, await database.ScalarAsync("SELECT `Key` FROM blobs WHERE `Id` = @id", Guid.Parse(staged.Location)));
    }

    [Fact]
    public async Task AFileLargerThanTheServersMaxAllowedPacket_RoundTrips()
    {
        // MariaDB's default max_allowed_packet is 16 MiB: a file past it must still go in and come out whole.
        var packet = Convert.ToInt64(await database.ScalarAsync("SELECT @@max_allowed_packet", Guid.Empty), System.Globalization.CultureInfo.InvariantCulture);
        var size = (int)Math.Min(packet + DatabaseBlobStore.ChunkBytes + 3, 80L * 1024 * 1024);
        var bytes = RandomNumberGenerator.GetBytes(size);
        var key = NewKey();

        await Store.CommitAsync(await Store.StageAsync(key, new MemoryStream(bytes), size, default), default);

        Assert.True(size > packet, $"the file ({size} bytes) must be larger than max_allowed_packet ({packet})");
        Assert.Equal(bytes, await ReadAsync(key));
        await Store.DeleteAsync(key, default);
    }

    [Fact]
    public async Task Delete_TakesTheChunksWithTheBlob()
    {
        var key = NewKey();
        var staged = await Store.StageAsync(key, new MemoryStream(new byte[DatabaseBlobStore.ChunkBytes + 1]), int.MaxValue, default);
        await Store.CommitAsync(staged, default);

        await Store.DeleteAsync(key, default);

        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM blob_chunks WHERE `BlobId` = @id", Guid.Parse(staged.Location)));
    }

    /// <summary>One migrated database for the class, dropped after it; tests use keys of their own.</summary>
    public sealed class Database : IAsyncLifetime
    {
        private readonly string name = "coffer_blobs_" + Guid.NewGuid().ToString("N");
        private string connectionString = "";

        public IBlobStore Store { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var admin = Environment.GetEnvironmentVariable("COFFER_TEST_MYSQL") is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException("MySqlBlobStoreTests needs COFFER_TEST_MYSQL (an admin connection string); ./test.sh sets it.");
            await ExecuteAsync(admin, $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
            connectionString = new MySqlConnectionStringBuilder(admin) { Database = name, CharacterSet = "utf8mb4" }.ConnectionString;
            await using (var db = new MySqlCofferDb(new DbContextOptionsBuilder<MySqlCofferDb>().UseMySQL(connectionString)
                .AddInterceptors(MariaDbCompatibility.Instance)
                .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)).Options))
            {
                await db.Database.MigrateAsync();
            }

            Store = DatabaseBlobStore.MySql(connectionString, TimeProvider.System);
        }

        public async Task<object?> ScalarAsync(string sql, Guid id)
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new MySqlCommand(sql, connection);
            command.Parameters.AddWithValue("@id", id.ToString("D"));
            var value = await command.ExecuteScalarAsync();
            return value is DBNull ? null : value is ulong unsigned ? (long)unsigned : value;
        }

        public async Task DisposeAsync()
        {
            // Only this class's pool: the servers of other classes keep theirs.
            await using (var pooled = new MySqlConnection(connectionString))
            {
                MySqlConnection.ClearPool(pooled);
            }

            await ExecuteAsync(Environment.GetEnvironmentVariable("COFFER_TEST_MYSQL")!, $"DROP DATABASE IF EXISTS `{name}`");
        }

        private static async Task ExecuteAsync(string connectionString, string sql)
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new MySqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
