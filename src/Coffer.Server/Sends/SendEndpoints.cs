namespace Coffer.Server.Sends;

/// <summary>Send, the owner's side (<c>bitwarden-sharing-features.md</c> §3). Filled in by the Send branch.</summary>
public static class SendEndpoints
{
    public static void MapSends(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
    }

    public static void MapSendAccess(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
    }
}
