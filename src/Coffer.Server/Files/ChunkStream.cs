namespace Coffer.Server.Files;

/// <summary>
/// Reads a blob stored in the database (<see cref="DatabaseBlobStore"/>) chunk by chunk,
/// one short query per chunk (<paramref name="fetch"/>: chunk sequence 0, 1, 2, … to its bytes), so a slow download
/// holds no connection between chunks. The next chunk is fetched while the current one is sent, so the database and
/// the network work at the same time; at most two chunks are in memory per download. <paramref name="length"/> is the
/// blob's total bytes.
/// </summary>
internal sealed class ChunkStream(Func<int, CancellationToken, Task<byte[]>> fetch, long length) : Stream
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

            chunk = await (ahead ?? fetch(next++, stop.Token)).WaitAsync(cancellationToken);
            offset = 0;
            ahead = position + chunk.Length < length ? fetch(next++, stop.Token) : null;
        }

        var count = Math.Min(buffer.Length, chunk.Length - offset);
        chunk.AsMemory(offset, count).CopyTo(buffer);
        offset += count;
        position += count;
        return count;
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
