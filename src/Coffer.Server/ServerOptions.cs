using Coffer.Server.Abuse;
using Coffer.Server.Hosting;
using Coffer.Server.Notifications;
using Microsoft.Extensions.Options;

namespace Coffer.Server;

/// <summary>
/// All of Coffer's settings: configuration section <c>Coffer</c>, so environment variables read
/// <c>Coffer__DataFolder</c>, <c>Coffer__AccessTokenMinutes</c>, …. Every default is safe; validated at start.
/// </summary>
public sealed class ServerOptions
{
    public const string Section = "Coffer";

    /// <summary>
    /// Binds <see cref="ServerOptions"/> from the <c>Coffer</c> section, validated when the host starts (a bad value
    /// stops the server with a message naming the setting), and returns the values start-up itself needs.
    /// </summary>
    public static ServerOptions AddTo(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        return builder.Configuration.GetSection(Section).Get<ServerOptions>() ?? new ServerOptions();
    }

    /// <summary>Folder for the SQLite database, generated keys and the generated TLS certificate. Default <c>./data</c>.</summary>
    public string DataFolder { get; set; } = "data";

    /// <summary>
    /// Where the data lives. Empty (the default): SQLite, <c>coffer.db</c> in the data folder. Otherwise a database
    /// shared by any number of nodes, and then <see cref="JwtSigningKey"/> is required: PostgreSQL as an Npgsql
    /// connection string or a <c>postgresql://</c> URL (<see cref="Data.PostgresConnection"/>), or MySQL/MariaDB as a
    /// <c>mysql://</c> or <c>mariadb://</c> URL, or a Connector/NET connection string with
    /// <see cref="DatabaseProvider"/> <c>mysql</c> (<see cref="Data.MySqlConnectionString"/>).
    /// </summary>
    public string? Database { get; set; }

    /// <summary>
    /// Which server a <see cref="Database"/> connection string names: <c>postgres</c> (the default) or <c>mysql</c>
    /// (also <c>mariadb</c>). Needed only for connection strings, whose keywords the two share; a URL's scheme says it.
    /// </summary>
    public string? DatabaseProvider { get; set; }

    /// <summary>
    /// Base64 HMAC-SHA256 key for access tokens, ≥ 32 bytes. When unset, one is generated into the data folder on first
    /// run (SQLite only: with PostgreSQL every node must hold the same key, so it comes from configuration).
    /// </summary>
    public string? JwtSigningKey { get; set; }

    /// <summary>The <c>iss</c> and <c>aud</c> of access tokens.</summary>
    public string Issuer { get; set; } = "coffer";

    /// <summary>Access token lifetime in minutes (10–1440). Keep it well above 5: the Bitwarden CLI refreshes below that (protocol §1.4).</summary>
    public int AccessTokenMinutes { get; set; } = 60;

    /// <summary>Refresh token lifetime in days (1–365).</summary>
    public int RefreshTokenDays { get; set; } = 30;

    /// <summary>Largest request body in bytes for ordinary routes (import allows <see cref="MaxImportBytes"/>).</summary>
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    public long MaxImportBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// Whole-request deadline in seconds (1–3600, default 300): a request still sending its body or still being
    /// handled after this is ended with 408. The live-sync hubs are exempt. See <see cref="RequestDeadlines"/>.
    /// </summary>
    public int RequestTimeoutSeconds { get; set; } = 300;

    /// <summary>Rate limits and the failed-login lockout (section <c>Coffer:RateLimits</c>).</summary>
    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Bounds of the live-sync hubs (section <c>Coffer:Notifications</c>).</summary>
    public NotificationOptions Notifications { get; set; } = new();

    /// <summary>Reverse proxies (IP addresses or CIDR networks) whose X-Forwarded-For/-Proto are believed; empty trusts none. See SECURITY.md.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Browser origins allowed by CORS (section <c>Coffer:Cors</c>); none by default.</summary>
    public CorsSettings Cors { get; set; } = new();
    /// <summary>
    /// Sign-up policy until an admin sets one (then the database value wins, so all nodes agree):
    /// <c>open</c> (default), <c>invite</c> (an admin's invitation is needed) or <c>closed</c>.
    /// </summary>
    public string RegistrationMode { get; set; } = "open";

    /// <summary>Admin elevation: the fresh proof admin actions need and the two-step login rule (section <c>Coffer:Admin</c>).</summary>
    public Admin.AdminOptions Admin { get; set; } = new();

    /// <summary>Who may read <c>/metrics</c> (section <c>Coffer:Metrics</c>); loopback only by default.</summary>
    public MetricsSettings Metrics { get; set; } = new();

    /// <summary>
    /// The server's address as clients reach it (absolute http/https URL, optionally with a path; no query or
    /// fragment), e.g. <c>https://vault.example.com</c>. When set, every absolute URL the server hands out (today
    /// <c>/api/config</c>'s <c>environment</c> and <c>server.url</c>) is built from it, never from the request's
    /// Host header, which whoever sends the request chooses. Unset: built from the request, as before.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Limits on attachments and Send files: largest file, quotas (section <c>Coffer:Files</c>).</summary>
    public Files.FileStorageOptions Files { get; set; } = new();

    /// <summary>The periodic work: trash retention, run interval (section <c>Coffer:Background</c>).</summary>
    public Background.BackgroundOptions Background { get; set; } = new();

    /// <summary>The audit log's checkpoints: interval, file and URL they are exported to (section <c>Coffer:Audit</c>).</summary>
    public Audit.AuditOptions Audit { get; set; } = new();

    /// <summary>Outgoing mail (section <c>Coffer:Smtp</c>); off until <c>Coffer:Smtp:Host</c> is set.</summary>
    public Mail.SmtpOptions Smtp { get; set; } = new();

    /// <summary>Sign-up rules beyond the mode: e-mail verification (section <c>Coffer:Registration</c>).</summary>
    public Accounts.RegistrationOptions Registration { get; set; } = new();

    /// <summary>Emergency access (section <c>Coffer:EmergencyAccess</c>).</summary>
    public Emergency.EmergencyAccessOptions EmergencyAccess { get; set; } = new();

    /// <summary>Serve the OpenAPI document and its browser at <c>/docs</c> (default true); false answers 404 there.</summary>
    public bool ApiDocs { get; set; } = true;

    /// <summary>Folder of the built web vault served at <c>/</c>; default <c>web-vault</c> beside the binary (copied there from <c>web/dist</c> at build).</summary>
    public string? WebVaultFolder { get; set; }

    public string DatabasePath => Path.Combine(Path.GetFullPath(DataFolder), "coffer.db");

    /// <summary>The database server <see cref="Database"/> and <see cref="DatabaseProvider"/> name.</summary>
    public DatabaseKind Provider => string.IsNullOrWhiteSpace(Database)
        ? DatabaseKind.Sqlite
        : Data.MySqlConnectionString.IsUrl(Database) || DatabaseProvider?.Trim().ToUpperInvariant() is "MYSQL" or "MARIADB"
            ? DatabaseKind.MySql
            : DatabaseKind.Postgres;

    /// <summary>A database server that any number of nodes share (PostgreSQL, MySQL), rather than the SQLite file.</summary>
    public bool UsesSharedDatabase => Provider != DatabaseKind.Sqlite;
}

/// <summary>The database servers Coffer stores its data in (<see cref="ServerOptions.Provider"/>).</summary>
public enum DatabaseKind
{
    Sqlite,
    Postgres,
    MySql,
}

/// <summary>Networks (CIDR, e.g. <c>10.0.5.0/24</c> for the Prometheus hosts) allowed to read <c>/metrics</c> besides loopback.</summary>
public sealed class MetricsSettings
{
    public string[] AllowedNetworks { get; set; } = [];
}

internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataFolder))
        {
            failures.Add("Coffer:DataFolder must name a folder.");
        }

        if (options.JwtSigningKey is { } key && !HasAtLeast256Bits(key))
        {
            failures.Add("Coffer:JwtSigningKey must be Base64 of at least 32 bytes (256 bits).");
        }

        if (options.DatabaseProvider is { } provider && provider.Trim().ToUpperInvariant() is not ("POSTGRES" or "POSTGRESQL" or "MYSQL" or "MARIADB"))
        {
            failures.Add("Coffer:DatabaseProvider must be postgres or mysql (or mariadb).");
        }

        if (options.UsesSharedDatabase)
        {
            var server = options.Provider == DatabaseKind.MySql ? "MySQL" : "PostgreSQL";
            var parsed = options.Provider == DatabaseKind.MySql
                ? Data.MySqlConnectionString.TryParse(options.Database!, out var error)
                : Data.PostgresConnection.TryParse(options.Database!, out error);
            if (parsed is null)
            {
                failures.Add($"Coffer:Database must be empty (SQLite) or name PostgreSQL or MySQL, but as {server} {error}");
            }

            // Not generated and not kept in the database: every node must sign with the same key, and the audit
            // chain's key derives from it, so someone holding only the database must not hold it.
            if (options.JwtSigningKey is null)
            {
                failures.Add($"Coffer:JwtSigningKey must be set when Coffer:Database names {server}: every node needs the same key.");
            }
        }

        if (options.Admin.ProofMinutes is < 1 or > 60)
        {
            failures.Add("Coffer:Admin:ProofMinutes must be between 1 and 60.");
        }

        if (options.AccessTokenMinutes is < 10 or > 1440)
        {
            failures.Add("Coffer:AccessTokenMinutes must be between 10 and 1440.");
        }

        if (options.RefreshTokenDays is < 1 or > 365)
        {
            failures.Add("Coffer:RefreshTokenDays must be between 1 and 365.");
        }

        if (options.MaxRequestBytes is < 64 * 1024 or > 64 * 1024 * 1024 || options.MaxImportBytes < options.MaxRequestBytes)
        {
            failures.Add("Coffer:MaxRequestBytes must be 64 KiB–64 MiB and Coffer:MaxImportBytes at least as large.");
        }

        if (options.RequestTimeoutSeconds is < 1 or > 3600)
        {
            failures.Add("Coffer:RequestTimeoutSeconds must be between 1 and 3600.");
        }

        if (options.RegistrationMode is not ("open" or "invite" or "closed"))
        {
            failures.Add("Coffer:RegistrationMode must be open, invite or closed.");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Coffer:Issuer must not be empty.");
        }

        if (options.PublicUrl is { } publicUrl && !IsPublicUrl(publicUrl))
        {
            failures.Add("Coffer:PublicUrl must be an absolute http or https URL without query or fragment, e.g. https://vault.example.com.");
        }

        failures.AddRange(options.RateLimits.Validate());
        failures.AddRange(options.Notifications.Validate());
        failures.AddRange(options.Files.Validate());
        failures.AddRange(options.Background.Validate());
        failures.AddRange(options.Audit.Validate());
        failures.AddRange(options.Smtp.Validate());
        failures.AddRange(options.Registration.Validate(options.Smtp.Enabled));
        failures.AddRange(options.EmergencyAccess.Validate());
        failures.AddRange(options.TrustedProxies.Where(p => !ReverseProxy.IsValidEntry(p)).Select(p => $"Coffer:TrustedProxies: '{p}' is not an IP address or CIDR network."));
        failures.AddRange(options.Metrics.AllowedNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)).Select(n => $"Coffer:Metrics:AllowedNetworks: '{n}' is not a CIDR network (e.g. 10.0.5.0/24)."));
        failures.AddRange(options.Cors.AllowedOrigins.Where(o => !Cors.IsValidOrigin(o)).Select(o => $"Coffer:Cors:AllowedOrigins: '{o}' is not an origin (scheme://host[:port], no path, no '*')."));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsPublicUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(uri.Host) && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
        && string.IsNullOrEmpty(uri.UserInfo);

    private static bool HasAtLeast256Bits(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written >= 32;
    }
}
