using Coffer.Server;
using Coffer.Server.Abuse;
using Coffer.Server.Accounts;
using Coffer.Server.Admin;
using Coffer.Server.Audit;
using Coffer.Server.Background;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Devices;
using Coffer.Server.Emergency;
using Coffer.Server.Errors;
using Coffer.Server.Files;
using Coffer.Server.Folders;
using Coffer.Server.Hosting;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Coffer.Server.Passkeys;
using Coffer.Server.Sends;
using Coffer.Server.Sync;
using Coffer.Server.TwoFactor;

// `coffer-server admin …`, `audit verify`, `backup` and `restore` run against the database and exit; no web server.
if (ServerCommands.IsCommand(args))
{
    Environment.ExitCode = await ServerCommands.RunAsync(args);
    return;
}

// Content (appsettings.json) comes from beside the binary; the data folder stays relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var options = ServerOptions.AddTo(builder);
builder.ConfigureCofferKestrel(options);
builder.UseServiceManagers();

builder.Services.AddSingleton<TimeProvider>(StorageClock.Default);
builder.Services.AddCofferDatabase(builder.Configuration);
builder.Services.AddChanges();
builder.Services.AddAuditLog();
builder.Services.AddAccessTokens();
builder.Services.AddAbuseDefences();
builder.Services.AddTrustedProxies();
builder.Services.AddCofferCors();
builder.Services.AddCofferTelemetry(builder.Configuration);
builder.Services.AddRequestDeadlines();
builder.Services.AddCofferApi();
builder.Services.AddSyncCache();
builder.Services.AddTwoFactor();
builder.Services.AddAdmin();
builder.Services.AddNotifications();
builder.Services.AddBlobStorage();
builder.Services.AddSends();
builder.Services.AddBackgroundWork();
builder.Services.AddIdleMemoryTrim();
builder.Services.AddAuditCheckpointJob();
builder.Services.AddMail();
builder.Services.AddSingleton<WebAuthnRelyingParty>();

var app = builder.Build();

// Key files are read, or created on first run, here at start and never on a request path: servers starting
// together on one data folder settle who creates them before any request arrives (Hosting/DataFolder).
_ = app.Services.GetRequiredService<TokenService>();

// The pipeline, in order: who is asking and from where, errors in the route family's format, limits, then routing.
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
app.UseApiDocs(options);

// Operations: liveness and readiness for anyone, metrics for loopback and Coffer:Metrics:AllowedNetworks.
app.MapHealth();
app.MapMetrics();

// Identity: anonymous by nature, small bodies; each route spends its own request budget (Abuse/RateLimitPolicy).
var identity = app.MapGroup("/identity").AllowAnonymous().WithMetadata(new RequestBodyLimit(RequestBodyLimit.IdentityBytes));
identity.MapPrelogin();
identity.MapToken();
identity.MapPasskeyLogin();
identity.MapRegistration();

// The Bitwarden API: an access token on every route except the two clients call before they log in.
var api = app.MapGroup("/api").RequireAuthorization();
api.MapServerConfig().AllowAnonymous();
api.MapKnownDevice().AllowAnonymous();
api.MapPasswordHint().AllowAnonymous();
api.MapAccounts();
api.MapAccountSecurity();
api.MapTwoFactor();
api.MapPasskeys();
api.MapDevices();
api.MapSync();
api.MapFolders();
api.MapCiphers();
api.MapAttachments();
api.MapSends();
api.MapCollections();
api.MapOrganizationExport();
api.MapPolicies();
api.MapGroups();
api.MapEvents();
api.MapOrganizations();
api.MapMembers();
// Emergency access: trusted contacts who may view or take over a vault after a wait the owner can cancel (Emergency/).
api.MapEmergencyAccess();
app.MapEventCollection();

// Files and Sends reached without a user's access token: download URLs carry their own short-lived token, Send
// recipients a Send access token (Files/ScopedTokens).
app.MapAttachmentDownloads();
app.MapSendAccess();
app.MapEmergencyAttachmentDownloads();

// Admin: an admin account with two-step login and a recent proof on every route but the proof itself (Admin/AdminProof).
app.MapAdmin();

// Live sync: SignalR hubs, the signed-in one and the anonymous one with its own budgets (Notifications/).
app.MapNotifications();

// Start: the migrator only when migrations are pending. The pending check itself builds the EF model (EF's migration
// services go through the context), a third of the start's CPU; bench/results/footprint.md measures each step.
await app.MigrateCofferDatabaseAsync();
await app.EncryptTwoFactorSecretsAsync();
app.LogListening(options);
await app.RunAsync();

/// <summary>The entry point, public so integration tests can host it (WebApplicationFactory).</summary>
public partial class Program;
