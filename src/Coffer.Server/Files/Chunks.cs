namespace Coffer.Server.Files;

/// <summary>The write side of the database blob store (<see cref="DatabaseBlobStore"/>).</summary>
internal static class Chunks
{
    /// <summary>
    /// Reads <paramref name="source"/> in chunks of <paramref name="chunkBytes"/> (the last one shorter) and hands each
    /// to <paramref name="write"/> with its sequence number (0, 1, 2, …), one buffer reused for all; returns the total
    /// bytes and the first <see cref="StagedBlob.HeadBytes"/> of them.
    /// </summary>
    /// <exception cref="BlobTooLargeException">More than <paramref name="maxBytes"/> bytes arrived (checked before that chunk is written).</exception>
    public static async Task<(long Total, byte[] Head)> SplitAsync(Stream source, long maxBytes, int chunkBytes, Func<int, ArraySegment<byte>, Task> write, CancellationToken ct)
    {
        var buffer = new byte[chunkBytes];
        long total = 0;
        var head = Array.Empty<byte>();
        for (var sequence = 0; ; sequence++)
        {
            var filled = await source.ReadAtLeastAsync(buffer, chunkBytes, throwOnEndOfStream: false, ct);
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

            await write(sequence, new ArraySegment<byte>(buffer, 0, filled));
            if (filled < chunkBytes)
            {
                break;
            }
        }

        return (total, head);
    }
}
