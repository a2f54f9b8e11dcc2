using Coffer.Protocol.Api;
using Coffer.Server;
using Coffer.Server.Abuse;
using Coffer.Server.Accounts;
using Coffer.Server.Admin;
using Coffer.Server.Audit;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Devices;
using Coffer.Server.Errors;
using Coffer.Server.Folders;
using Coffer.Server.Hosting;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Sync;
using Coffer.Server.TwoFactor;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

// `coffer-server admin …` and `coffer-server audit verify` run against the database and exit; no web server.
if (ServerCommands.IsCommand(args))
{
    Environment.ExitCode = await ServerCommands.RunAsync(args);
    return;
}

// Content (appsettings.json) comes from beside the binary; the data folder stays relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.Section)).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
builder.ConfigureCofferKestrel(options);
builder.UseServiceManagers();

builder.Services.AddSingleton<TimeProvider>(StorageClock.Default);
builder.Services.AddCofferDatabase(builder.Configuration);
builder.Services.AddSingleton<TokenService>();
builder.Services.AddSingleton<PasswordHashing>();
builder.Services.AddHttpContextAccessor();
builder.Services.AddSingleton<WriteGate>();
builder.Services.AddSingleton<AuditChain>();
builder.Services.AddScoped<Changes>();
builder.Services.AddNotifications();
builder.Services.AddSyncCache();
builder.Services.AddAbuseDefences();
builder.Services.AddTrustedProxies();
builder.Services.AddCofferCors();
builder.Services.AddCofferTelemetry(builder.Configuration);
builder.Services.AddTwoFactor();
builder.Services.AddAuthentication(AccessTokenAuthentication.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, AccessTokenAuthentication>(AccessTokenAuthentication.SchemeName, null);
builder.Services.AddAuthorization();
builder.Services.AddAdmin();
builder.Services.AddProblemDetails();
builder.Services.AddRequestDeadlines();
builder.Services.ConfigureHttpJsonOptions(json =>
{
    CofferJson.Configure(json.SerializerOptions);
    json.SerializerOptions.Converters.Add(new NoNulStrings());
});
builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
builder.Services.AddEndpointsApiExplorer();
builder.Services.AddSwaggerGen(swagger => swagger.SwaggerDoc("v1", new() { Title = "Coffer API", Version = "v1" }));

var app = builder.Build();

// Key files are read, or created on first run, here at start and never on a request path: servers starting
// together on one data folder settle who creates them before any request arrives (Hosting/DataFolder).
_ = app.Services.GetRequiredService<TokenService>();

app.UseTrustedProxies();
app.UsePublicUrl(options);
app.UseCofferErrors();
app.UseDatabaseOutage();
app.UseSecurityHeaders();
app.UseCofferStatusPages();
app.UseRequestHeadLimits();
app.UseWebVault(options);
app.UseRouting();
app.UseRequestDeadline();
app.UseCofferCors();
app.UseRequestBodyLimits();
app.UseUtf8Json();
app.UseWebSockets();
app.UseAuthentication();
app.UseRateLimits();
app.UseAuthorization();
if (options.ApiDocs)
{
    app.UseSwagger(swagger => swagger.RouteTemplate = "docs/{documentName}/openapi.json");
    app.UseSwaggerUI(ui =>
    {
        ui.RoutePrefix = "docs";
        ui.SwaggerEndpoint("/docs/v1/openapi.json", "Coffer API v1");
    });
}

app.MapHealth();
app.MapMetrics();

var identity = app.MapGroup("/identity");
identity.WithMetadata(new RequestBodyLimit(RequestBodyLimit.IdentityBytes));
identity.MapPrelogin();
identity.MapToken();
identity.MapRegistration();

var api = app.MapGroup("/api").RequireAuthorization();
api.MapServerConfig();
api.MapKnownDevice();
api.MapAccounts();
api.MapSync();
api.MapFolders();
api.MapCiphers();
api.MapAccountSecurity();
api.MapDevices();
api.MapEvents();
app.MapEventCollection();
app.MapAdmin();
api.MapTwoFactor();
app.MapNotifications();

await app.MigrateCofferDatabaseAsync();
await app.EncryptTwoFactorSecretsAsync();
app.LogListening(options);
await app.RunAsync();

/// <summary>The entry point, public so integration tests can host it (WebApplicationFactory).</summary>
public partial class Program;
