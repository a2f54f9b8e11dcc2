namespace Coffer.Server.Files;

/// <summary>
/// A file held in the database by <see cref="DatabaseBlobStore"/> (the tables exist on every provider; SQLite
/// uses them only inside backup files). A blob is written under a null <see cref="Key"/> while it streams in, then given its key in one
/// update, so no reader ever sees half a file; staged blobs left by a crash are removed by the sweep.
/// </summary>
public sealed class StoredBlob
{
    public Guid Id { get; set; }

    /// <summary>The blob's key (<see cref="BlobKeys"/>), unique; null while staged.</summary>
    public string? Key { get; set; }

    /// <summary>Total bytes.</summary>
    public long Length { get; set; }

    public DateTime CreationDate { get; set; }
}

/// <summary>One piece of a <see cref="StoredBlob"/>, at most <see cref="DatabaseBlobStore.ChunkBytes"/> bytes.</summary>
public sealed class BlobChunk
{
    public Guid BlobId { get; set; }

    /// <summary>0, 1, 2, … in file order.</summary>
    public int Sequence { get; set; }

    public required byte[] Data { get; set; }
}
