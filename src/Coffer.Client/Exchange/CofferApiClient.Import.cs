using Coffer.Protocol.Api;

namespace Coffer.Client;

public sealed partial class CofferApiClient
{
    /// <summary>
    /// <c>POST /api/ciphers/import</c> (protocol §4.14): all of the batch or nothing; the server answers 200 with no
    /// body. Build batches with <see cref="Exchange.ImportBatches"/>.
    /// </summary>
    public async Task ImportCiphersAsync(ImportCiphersRequestModel request, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Post, "api/ciphers/import", request, authenticated: true, ct);
    }
}
