using System.Security.Cryptography;

namespace Coffer.Testing;

/// <summary>
/// A readable stream of <paramref name="length"/> random bytes shaped as an EncArrayBuffer (type byte 2 first; the
/// caller picks a length of 1 + 16 + 32 + 16·n), made as it is read and never held whole: for uploads of hundreds of
/// MB. With <paramref name="pauseAt"/> it stops after that many bytes and waits until <paramref name="released"/> is
/// cancelled (then the read throws), as a client whose connection stalls mid-upload.
/// </summary>
public sealed class EncryptedFileStream(long length, long pauseAt = long.MaxValue, CancellationToken released = default) : Stream
{
    private long position;

    /// <summary>Bytes of an EncArrayBuffer (type, IV, MAC, whole AES blocks) of a <paramref name="plaintext"/>-byte file.</summary>
    public static long LengthFor(long plaintext) => 1 + 16 + 32 + (16 * ((plaintext / 16) + 1));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (position >= pauseAt)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, released);
            await Task.Delay(Timeout.Infinite, either.Token);
        }

        var n = (int)Math.Min(buffer.Length, Math.Min(length, pauseAt) - position);
        RandomNumberGenerator.Fill(buffer.Span[..n]);
        if (position == 0 && n > 0)
        {
            buffer.Span[0] = 2;
        }

        position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
