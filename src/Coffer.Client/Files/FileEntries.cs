using System.Text.Json;
using Coffer.Protocol.Api;

namespace Coffer.Client.Files;

/// <summary>
/// The attachments of a cipher and the Sends of a sync as typed models, whether the models carry them typed or as
/// raw JSON (a cached sync read back from disk keeps them as <see cref="JsonElement"/>).
/// </summary>
public static class FileEntries
{
    /// <summary>A cipher's <c>attachments</c> (bitwarden-sharing-features.md §2.8); empty when it has none.</summary>
    public static IReadOnlyList<AttachmentResponseModel> Attachments(CipherDetailsResponseModel cipher)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        return cipher.Attachments is not { } list ? [] : [.. ((IEnumerable<object>)list).Select(To<AttachmentResponseModel>)];
    }

    /// <summary>A sync's <c>sends</c> (§3.7).</summary>
    public static IReadOnlyList<SendResponseModel> Sends(SyncResponseModel sync)
    {
        ArgumentNullException.ThrowIfNull(sync);
        return [.. sync.Sends.Select(To<SendResponseModel>)];
    }

    private static T To<T>(object value) =>
        (value is JsonElement json ? json : JsonSerializer.SerializeToElement(value, CofferJson.Options)).Deserialize<T>(CofferJson.Options)
        ?? throw new JsonException($"A null {typeof(T).Name}.");
}
