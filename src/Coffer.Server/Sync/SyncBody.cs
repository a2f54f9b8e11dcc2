using System.IO.Compression;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Coffer.Server.Sync;

/// <summary>
/// A rendered sync body (UTF-8 JSON) and whether it may be sent compressed: only when every byte of it was written by
/// the account's own clients (no organization membership), see <see cref="SyncEndpoints"/> and SECURITY.md
/// "Response compression and BREACH".
/// </summary>
internal sealed record RenderedSync(byte[] Body, bool Compressible);

/// <summary>
/// Answers a sync body: <c>gzip</c> when the client's <c>Accept-Encoding</c> offers it (RFC 9110 §12.5.3), else
/// identity; a cached body is compressed at most once per vault version (the compressed bytes are cached beside the
/// identity body under the same key), and the bytes are written in large chunks.
/// </summary>
/// <remarks>
/// Why the chunks: <c>Results.Bytes</c> copies a body into Kestrel's 4 KiB pool blocks, and over HTTPS each block
/// becomes its own TLS record (its own encryption call, its own write into the socket pipe). Asking the response pipe
/// for 64 KiB at a time gets array-pool segments of that size, which <see cref="System.Net.Security.SslStream"/> cuts
/// into full 16 KiB records, as nginx's default <c>ssl_buffer_size</c> does. Flushing every 256 KiB keeps at most
/// that much of the copy per request in the pipe instead of the whole body (bench/results/sync-https.md).
/// No <c>br</c>: a sync body is mostly Base64 ciphertext, on which Brotli saves about 1 % over gzip at several times the
/// CPU (quality 5: 33.9 % of the size in 466 ms against gzip's 34.3 % in 79 ms for 3,000 items), and every client that
/// offers <c>br</c> offers <c>gzip</c> too.
/// </remarks>
internal static class SyncBody
{
    public const string Gzip = "gzip";

    private const int ChunkBytes = 64 * 1024;
    private const int FlushBytes = 256 * 1024;

    private sealed record EncodedKey(object Key, string Encoding);

    /// <summary><see cref="Gzip"/> when this request's <c>Accept-Encoding</c> offers it, or null for identity.</summary>
    public static string? Negotiate(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A coding listed with q=0 is refused (RFC 9110 §12.5.3); "*" is not taken as an offer: identity is never wrong.
        return request.GetTypedHeaders().AcceptEncoding
            .Any(o => StringSegment.Equals(o.Value, Gzip, StringComparison.OrdinalIgnoreCase) && (o.Quality ?? 1.0) > 0)
            ? Gzip
            : null;
    }

    /// <summary>
    /// The result for <paramref name="rendered"/>: compressed when the body allows it and the client asks, and
    /// <paramref name="cacheKey"/> is non-null (an uncached body is sent as is: compressing it on every request would
    /// cost more CPU than the bytes it saves on this machine).
    /// </summary>
    public static IResult Answer(HttpRequest request, RenderedSync rendered, IMemoryCache cache, object? cacheKey, MemoryCacheEntryOptions entryOptions)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        ArgumentNullException.ThrowIfNull(cache);
        var encoding = rendered.Compressible && cacheKey is not null ? Negotiate(request) : null;
        if (encoding is null)
        {
            return new Written(rendered.Body, null, rendered.Compressible);
        }

        var key = new EncodedKey(cacheKey!, encoding);
        if (!cache.TryGetValue(key, out byte[]? encoded) || encoded is null)
        {
            encoded = Compress(rendered.Body);
            using var entry = cache.CreateEntry(key);
            entry.SetOptions(entryOptions);
            entry.Size = encoded.Length;
            entry.Value = encoded;
        }

        return new Written(encoded, encoding, true);
    }

    /// <summary>
    /// <paramref name="body"/> as one gzip member (RFC 1952) at <see cref="CompressionLevel.Optimal"/>: 34 % of a
    /// 3,000-item body in about 80 ms, paid once per vault version (<see cref="CompressionLevel.Fastest"/> leaves 45 %).
    /// </summary>
    public static byte[] Compress(ReadOnlySpan<byte> body)
    {
        using var buffer = new MemoryStream(body.Length / 2);
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(body);
        }

        return buffer.ToArray();
    }

    /// <summary>Writes <paramref name="bytes"/> with its length, type and coding, in 64 KiB chunks (see the class remarks).</summary>
    private sealed class Written(byte[] bytes, string? encoding, bool varies) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var ct = httpContext.RequestAborted;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = bytes.Length;
            if (encoding is not null)
            {
                response.Headers.ContentEncoding = encoding;
            }

            if (varies)
            {
                // The same URL answers other bytes for another Accept-Encoding (RFC 9110 §12.5.5).
                response.Headers.Vary = HeaderNames.AcceptEncoding;
            }

            // Headers go into the pipe first, so the body's GetMemory below reaches the transport's writer directly.
            await response.StartAsync(ct);
            var writer = response.BodyWriter;
            var unflushed = 0;
            for (var offset = 0; offset < bytes.Length; offset += ChunkBytes)
            {
                var length = Math.Min(ChunkBytes, bytes.Length - offset);
                bytes.AsSpan(offset, length).CopyTo(writer.GetMemory(length).Span);
                writer.Advance(length);
                unflushed += length;
                if (unflushed >= FlushBytes)
                {
                    unflushed = 0;
                    var flushed = await writer.FlushAsync(ct);
                    if (flushed.IsCanceled || flushed.IsCompleted)
                    {
                        return;
                    }
                }
            }

            await writer.FlushAsync(ct);
        }
    }
}
