using Coffer.Server.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Coffer.Server.Files;

/// <summary>
/// The direct-upload request both attachments and Send files use (<c>bitwarden-sharing-features.md</c> §1.2): a
/// <c>multipart/form-data</c> body whose one part named <c>data</c> holds the encrypted file. The part streams straight
/// into <see cref="IBlobStore.StageAsync"/> with a byte cap, never buffered; its <c>filename</c> is ignored (the CLI
/// truncates it, §0.2 point 5), as are other parts.
/// </summary>
public static class FileUpload
{
    /// <summary>What came of reading an upload: the staged file, or the message of a 400 answer.</summary>
    public readonly record struct Result(StagedBlob? Staged, string? Error, bool TooLarge);

    /// <summary>
    /// Route metadata for an upload route: a body limit of <see cref="FileStorageOptions.MaxFileBytes"/> plus the 1 MiB
    /// leeway and 64 KiB of multipart framing (instead of <see cref="ServerOptions.MaxRequestBytes"/>), and no
    /// whole-request deadline (a 500 MB upload on a slow line takes longer than it; Kestrel's minimum data rate still
    /// ends one that trickles).
    /// </summary>
    public static RouteHandlerBuilder AcceptsFileUpload(this RouteHandlerBuilder route)
    {
        ArgumentNullException.ThrowIfNull(route);
        route.Add(endpoint =>
        {
            var options = endpoint.ApplicationServices.GetRequiredService<IOptions<ServerOptions>>().Value;
            endpoint.Metadata.Add(new RequestBodyLimit(options.Files.MaxFileBytes + FileStorageOptions.SizeLeewayBytes + (64 * 1024)));
        });
        route.DisableRequestTimeout();
        return route.Accepts<IFormFile>("multipart/form-data");
    }

    /// <summary>
    /// Streams the <c>data</c> part of <paramref name="request"/> into a staged blob for <paramref name="key"/>, at most
    /// <paramref name="maxBytes"/> bytes, and checks it is an EncArrayBuffer (§1.1). On any error nothing is kept.
    /// </summary>
    public static async Task<Result> ReadAsync(HttpRequest request, IBlobStore store, string key, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(store);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return new(null, "Send the file as multipart/form-data with one part named \"data\".", false);
        }

        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        StagedBlob? staged = null;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !"data".Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, StringComparison.Ordinal))
                {
                    continue;
                }

                if (staged is not null)
                {
                    await store.DiscardAsync(staged);
                    return new(null, "Send exactly one part named \"data\".", false);
                }

                staged = await store.StageAsync(key, section.Body, maxBytes, ct);
            }
        }
        catch (BlobTooLargeException)
        {
            await DiscardAsync(store, staged);
            return new(null, $"The file is larger than {maxBytes} bytes.", true);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !ct.IsCancellationRequested)
        {
            // A malformed or cut-off multipart body.
            await DiscardAsync(store, staged);
            return new(null, "The upload is not a complete multipart/form-data body.", false);
        }

        if (staged is null)
        {
            return new(null, "Send the file in a part named \"data\".", false);
        }

        if (!EncArrayBuffer.IsPlausible(staged.Length, staged.Head))
        {
            await store.DiscardAsync(staged);
            return new(null, "The file is not an encrypted file (type 2, IV, MAC and whole AES blocks).", false);
        }

        return new(staged, null, false);
    }

    private static Task DiscardAsync(IBlobStore store, StagedBlob? staged) => staged is null ? Task.CompletedTask : store.DiscardAsync(staged);
}
