using System.Security.Claims;
using Coffer.Server.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Coffer.Server.Notifications;

/// <summary>
/// Live sync for the web vault, browser extension and desktop app (notifications doc §2, §3): SignalR over
/// WebSockets without negotiation, written by hand on a raw WebSocket (doc §6 option A) because Coffer needs only
/// a ping, a close and one invocation, and the MessagePack hub protocol that clients insist on has no package here.
/// Owning the socket also keeps every bound in one place: connection caps, handshake timeout, message size and
/// rate, and a bounded queue per connection so a slow client never delays anyone else.
/// </summary>
public static class NotificationHub
{
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddSingleton<HubConnections>();
        // A registered NpgsqlDataSource means PostgreSQL, and possibly several nodes: fan out through LISTEN/NOTIFY.
        services.AddSingleton<INotificationBus>(provider => provider.GetService<NpgsqlDataSource>() is { } postgres
            ? ActivatorUtilities.CreateInstance<PostgresNotificationBus>(provider, postgres)
            : ActivatorUtilities.CreateInstance<LocalNotificationBus>(provider));
        services.AddHostedService<NotificationListener>();
        return services;
    }

    /// <summary>
    /// <c>/notifications/hub</c> takes the access token from the <c>access_token</c> query parameter (browsers cannot
    /// set WebSocket headers) or the Authorization header, checked exactly as for <c>/api</c>; anything else is 401
    /// before the upgrade. No cookie is involved, so a foreign page cannot ride on a user's session (no origin check
    /// is needed). <c>/notifications/anonymous-hub</c> serves "log in with device", which Coffer does not offer yet:
    /// waiting clients may connect and are kept alive, and nothing is sent there.
    /// </summary>
    public static void MapNotifications(this IEndpointRouteBuilder app)
    {
        var hubs = app.MapGroup("/notifications").ExcludeFromDescription();
        hubs.Map("/hub", ConnectUser).RequireAuthorization();
        hubs.Map("/anonymous-hub", ConnectAnonymous).AllowAnonymous();
    }

    private static Task ConnectUser(HttpContext context)
    {
        var principal = context.User;
        return RunAsync(context, limits => new HubConnection(
            principal.UserId(), principal.FindFirstValue(AccessTokenAuthentication.DeviceIdentifierClaim), context.Connection.RemoteIpAddress, limits.MaxQueuedMessages));
    }

    private static Task ConnectAnonymous(HttpContext context)
    {
        // The auth request id the client waits on (spelled "Token"; query keys are case-insensitive).
        if (!Guid.TryParse(context.Request.Query["Token"], out _))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Task.CompletedTask;
        }

        return RunAsync(context, limits => new HubConnection(null, null, context.Connection.RemoteIpAddress, limits.MaxQueuedMessages));
    }

    private static async Task RunAsync(HttpContext context, Func<NotificationOptions, HubConnection> create)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var services = context.RequestServices;
        var limits = services.GetRequiredService<IOptions<ServerOptions>>().Value.Notifications;
        var hubs = services.GetRequiredService<HubConnections>();
        using var connection = create(limits);
        if (!hubs.TryAdd(connection))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return;
        }

        try
        {
            // On shutdown every connection closes politely instead of holding the host until its shutdown timeout.
            using var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(connection.EndAfterQueued);
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(NotificationHub));
            await new HubSession(socket, connection, limits, services.GetRequiredService<TimeProvider>(), logger).RunAsync(context.RequestAborted);
        }
        finally
        {
            hubs.Remove(connection);
        }
    }
}
