using System.Security.Claims;
using Coffer.Server.Abuse;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;

namespace Coffer.Server.Notifications;

/// <summary>
/// Live sync for the web vault, browser extension and desktop app (notifications doc §2, §3): ASP.NET Core SignalR
/// hubs with the MessagePack protocol every official client insists on and the JSON protocol generic tools use, over
/// WebSockets, with or without negotiation (the official clients skip it). SignalR owns the wire; Coffer adds its
/// bounds in three places only: admission before the upgrade (<see cref="AdmitAsync"/>: connection caps, 429), the
/// hub options (handshake timeout, message size, ping interval), and the protocol resolver
/// (<see cref="RateLimitedProtocol"/>: incoming message rate). Delivery never waits on a client
/// (<see cref="HubConnections.Deliver"/>).
/// </summary>
public static class NotificationHub
{
    // Outgoing bytes SignalR buffers per connection before a send waits (upstream Bitwarden's value); a client that
    // stops reading then has sends in flight, and HubConnections disconnects it at NotificationOptions.MaxQueuedMessages.
    private const int OutgoingBufferBytes = 4096;

    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddSingleton<HubConnections>();
        // A registered NpgsqlDataSource means PostgreSQL, and possibly several nodes: fan out through LISTEN/NOTIFY.
        // MySQL and MariaDB have no such thing: there the nodes poll a table.
        services.AddSingleton<INotificationBus>(provider => provider.GetService<NpgsqlDataSource>() is { } postgres
            ? ActivatorUtilities.CreateInstance<PostgresNotificationBus>(provider, postgres)
            : provider.GetRequiredService<IOptions<ServerOptions>>().Value is { Provider: DatabaseKind.MySql, Database: { } database }
                ? ActivatorUtilities.CreateInstance<MySqlNotificationBus>(provider, Data.MySqlConnectionString.TryParse(database, out _)!)
                : ActivatorUtilities.CreateInstance<LocalNotificationBus>(provider));
        services.AddHostedService<NotificationListener>();

        services.AddSignalR()
            .AddMessagePackProtocol()
            // Keys as upstream writes them (ContextId, Type, Payload), in both protocols; clients read either case.
            .AddJsonProtocol(json => json.PayloadSerializerOptions.PropertyNamingPolicy = null);
        services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        services.Replace(ServiceDescriptor.Singleton<IHubProtocolResolver, RateLimitedProtocols>());
        services.AddOptions<HubOptions>().Configure<IOptions<ServerOptions>>((hub, server) =>
        {
            var limits = server.Value.Notifications;
            hub.HandshakeTimeout = TimeSpan.FromSeconds(limits.HandshakeTimeoutSeconds);
            hub.KeepAliveInterval = TimeSpan.FromSeconds(limits.PingSeconds);
            hub.MaximumReceiveMessageSize = limits.MaxIncomingMessageBytes;
            // Clients never invoke hub methods; one at a time is plenty for anyone who tries.
            hub.MaximumParallelInvocationsPerClient = 1;
            hub.EnableDetailedErrors = false;
        });
        return services;
    }

    /// <summary>
    /// <c>/notifications/hub</c> takes the access token from the <c>access_token</c> query parameter (browsers cannot
    /// set WebSocket headers) or the Authorization header, checked exactly as for <c>/api</c>; anything else is 401
    /// before the upgrade. No cookie is involved, so a foreign page cannot ride on a user's session (no origin check
    /// is needed). <c>/notifications/anonymous-hub?Token=&lt;auth request id&gt;</c> serves "log in with device", which
    /// Coffer does not offer yet: waiting clients may connect and are kept alive, and nothing is sent there. Errors
    /// before the upgrade (400, 401, 404, 405, 429) are Bitwarden error JSON, as on /api beside them.
    /// </summary>
    public static void MapNotifications(this IEndpointRouteBuilder app)
    {
        var hubs = app.MapGroup("/notifications").ExcludeFromDescription();
        hubs.MapHub<NotificationsHub>("/hub", WebSocketsOnly).RequireAuthorization()
            .Add(endpoint => Admit(endpoint, anonymous: false));
        hubs.MapHub<AnonymousHub>("/anonymous-hub", WebSocketsOnly).AllowAnonymous()
            .Add(endpoint => Admit(endpoint, anonymous: true));
    }

    private static void WebSocketsOnly(HttpConnectionDispatcherOptions options)
    {
        options.Transports = HttpTransportType.WebSockets;
        options.TransportMaxBufferSize = OutgoingBufferBytes;
    }

    private static void Admit(EndpointBuilder endpoint, bool anonymous)
    {
        if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route } && !route.EndsWith("/negotiate", StringComparison.Ordinal))
        {
            // A WebSocket opens with a GET over HTTP/1.1 and a CONNECT over HTTP/2 (RFC 8441, what browsers use on an
            // h2 connection); SignalR maps its other transports' methods here too, which Coffer does not serve.
            endpoint.Metadata.Add(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Connect]));
        }

        var next = endpoint.RequestDelegate!;
        endpoint.RequestDelegate = context => AdmitAsync(context, next, anonymous);
    }

    /// <summary>
    /// Runs in front of SignalR on both hub endpoints. A WebSocket request holds its slot for as long as the
    /// connection lives (the request lasts as long as the socket); negotiation passes through, and any other request
    /// is a 400, since WebSockets are the only transport.
    /// </summary>
    private static async Task AdmitAsync(HttpContext context, RequestDelegate next, bool anonymous)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            if (context.Request.Path.Value?.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase) == true)
            {
                await next(context);
                return;
            }

            await RefuseAsync(context, StatusCodes.Status400BadRequest, "This route accepts WebSocket connections only.");
            return;
        }

        // The auth request id the client waits on (spelled "Token"; query keys are case-insensitive).
        if (anonymous && !Guid.TryParse(context.Request.Query["Token"], out _))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "The Token query parameter must be an auth request id.");
            return;
        }

        var hubs = context.RequestServices.GetRequiredService<HubConnections>();
        using var lease = hubs.TryAdmit(anonymous ? null : context.User.UserId(), ClientAddress.KeyOf(context));
        if (lease is null)
        {
            context.RequestServices.GetRequiredService<Hosting.CofferMetrics>().RateLimited.Add(1);
            await RefuseAsync(context, StatusCodes.Status429TooManyRequests, "Too many live-sync connections; try again later.");
            return;
        }

        await next(context);
    }

    private static Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return BitwardenErrors.WriteErrorAsync(context, message);
    }
}

/// <summary>
/// <c>/notifications/hub</c>: one group of connections per user, kept by <see cref="HubConnections"/> with each
/// connection's device identifier, so notifications skip the acting device and a LogOut or a removed device closes
/// exactly its connections. Clients invoke nothing here; the server calls <see cref="Target"/> on them.
/// </summary>
internal sealed class NotificationsHub(HubConnections connections) : Hub
{
    /// <summary>The client method every notification invokes (doc §3.3).</summary>
    public const string Target = "ReceiveMessage";

    public override Task OnConnectedAsync()
    {
        var user = Context.User!;
        connections.Attach(new LiveConnection(Context, user.UserId(), user.FindFirstValue(AccessTokenAuthentication.DeviceIdentifierClaim)));
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Detach(Context.ConnectionId);
        return Task.CompletedTask;
    }
}

/// <summary><c>/notifications/anonymous-hub</c>: "log in with device" clients wait here; Coffer sends nothing yet.</summary>
internal sealed class AnonymousHub : Hub;

/// <summary>The SignalR user of a connection is the token's subject, the account id (upstream's <c>SubjectUserIdProvider</c>).</summary>
internal sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.FindFirstValue(JwtRegisteredClaimNames.Sub);
}
