namespace Coffer.Server.Ciphers;

/// <summary>Attachments (<c>bitwarden-sharing-features.md</c> §2). Filled in by the attachments branch.</summary>
public static class AttachmentEndpoints
{
    public static void MapAttachments(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
    }

    public static void MapAttachmentDownloads(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
    }
}
