namespace Coffer.Server.Files;

/// <summary>
/// Where encrypted files (attachments, Send files) live: one small interface, three implementations chosen by the
/// database provider (<see cref="BlobStorage.AddBlobStorage"/>): files under the data folder with SQLite
/// (<see cref="FileSystemBlobStore"/>), the database itself with PostgreSQL and MySQL (<see cref="DatabaseBlobStore"/>), so
/// every node of a cluster reads every file without a shared file system. Everything streams; no implementation holds
/// a whole file in memory. Writing is two steps, so a caller can check what arrived before it becomes visible:
/// <see cref="StageAsync"/> streams the bytes somewhere no reader looks, <see cref="CommitAsync"/> publishes them under
/// their key at once (a crash in between leaves only staged leftovers, which <see cref="DeleteAbandonedAsync"/> removes).
/// Keys are checked by <see cref="BlobKeys"/>; nothing here ever builds a path or a query from anything else.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Streams <paramref name="source"/> into a staged blob meant for <paramref name="key"/>, durably (fsynced / committed)
    /// before it returns.
    /// </summary>
    /// <exception cref="BlobTooLargeException">More than <paramref name="maxBytes"/> bytes arrived; nothing is kept.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid <see cref="BlobKeys"/> key.</exception>
    Task<StagedBlob> StageAsync(string key, Stream source, long maxBytes, CancellationToken ct);

    /// <summary>Publishes a staged blob under its key, atomically.</summary>
    /// <exception cref="BlobExistsException">A blob with that key exists; the staged one is discarded.</exception>
    Task CommitAsync(StagedBlob staged, CancellationToken ct);

    /// <summary>Drops a staged blob that will not be committed (a failed check). Never throws for a missing one.</summary>
    Task DiscardAsync(StagedBlob staged);

    /// <summary>A readable stream of the blob (the caller disposes it), or null when there is none under <paramref name="key"/>.</summary>
    Task<BlobContent?> OpenReadAsync(string key, CancellationToken ct);

    /// <summary>Deletes one blob; a missing one is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct);

    /// <summary>Deletes every blob whose key starts with <paramref name="prefix"/> + <c>/</c> (an item's attachments, a Send's files).</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken ct);

    /// <summary>Every committed blob, in no particular order (for the orphan sweep).</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(CancellationToken ct);

    /// <summary>Removes staged blobs started before <paramref name="before"/> (UTC) that were never committed; returns how many.</summary>
    Task<int> DeleteAbandonedAsync(DateTime before, CancellationToken ct);
}

/// <summary>
/// Bytes streamed in by <see cref="IBlobStore.StageAsync"/>, not yet visible under <see cref="Key"/>.
/// <see cref="Location"/> is the implementation's handle (a temporary file, a database row id).
/// </summary>
/// <param name="Key">The key it will be committed under.</param>
/// <param name="Location">Where the staged bytes are; meaningful only to the store that made it.</param>
/// <param name="Length">Bytes received.</param>
/// <param name="Head">The first bytes received (up to <see cref="HeadBytes"/>), for cheap format checks.</param>
public sealed record StagedBlob(string Key, string Location, long Length, byte[] Head)
{
    public const int HeadBytes = 64;
}

/// <summary>An open blob: its stream (dispose it) and its length in bytes.</summary>
public sealed record BlobContent(Stream Stream, long Length) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

/// <summary>A committed blob, as listed for the sweep: its key, length in bytes and when it was written (UTC).</summary>
public sealed record BlobInfo(string Key, long Length, DateTime CreationDate);

/// <summary>An upload went past its limit (<see cref="Limit"/> bytes); nothing was kept.</summary>
public sealed class BlobTooLargeException(long limit) : Exception($"The file is larger than {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>A commit found a blob already under the key (a second upload into one slot).</summary>
public sealed class BlobExistsException(string key) : Exception($"A file is already stored under {key}.");
