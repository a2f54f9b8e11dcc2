using Microsoft.AspNetCore.Http.Metadata;

namespace Coffer.Server.Hosting;

/// <summary>
/// Endpoint metadata for a body limit tighter than <see cref="ServerOptions.MaxRequestBytes"/>, read by
/// <see cref="Kestrel.UseRequestBodyLimits"/>. The identity routes carry forms and small JSON (the largest,
/// <c>register/finish</c>, is a few KiB of keys), so they are held to <see cref="IdentityBytes"/>: an
/// unauthenticated caller cannot make the server buffer and parse a mebibyte per request.
/// </summary>
public sealed class RequestBodyLimit(long bytes) : IRequestSizeLimitMetadata
{
    public const long IdentityBytes = 16 * 1024;

    public long? MaxRequestBodySize { get; } = bytes;

}
