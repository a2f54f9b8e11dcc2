using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// One Coffer server over a fresh data folder, on SQLite (the file lives inside the folder) or, when the run asks for
/// PostgreSQL, on a fresh database named after the folder (<see cref="TestDatabase"/>). Tests share a factory per class
/// but each test creates its own accounts, so the order of tests never matters.
/// </summary>
public sealed class CofferFactory : WebApplicationFactory<Program>
{
    private readonly bool ownsFolder;

    public CofferFactory()
        : this(CreateTempFolder(), ownsFolder: true)
    {
    }

    private CofferFactory(string dataFolder, bool ownsFolder)
    {
        DataFolder = dataFolder;
        this.ownsFolder = ownsFolder;
        // The CLI only speaks HTTPS; the test server does not care about the scheme, but a server that redirects
        // http to https must not turn every test into a redirect test.
        ClientOptions.BaseAddress = new Uri("https://localhost");
        ClientOptions.AllowAutoRedirect = false;
    }

    public string DataFolder { get; }

    /// <summary>
    /// Configuration applied over the defaults before the server starts (<c>Coffer:…</c> keys).
    /// It starts with generous rate limits: every test client comes from the same address, and the suite signs up
    /// and logs in far more often per minute than any person. The limits stay on, only roomier; tests about the
    /// limits themselves call <see cref="WithProductionLimits"/>.
    /// </summary>
    public Dictionary<string, string?> Settings { get; } = RoomyRateLimits();

    /// <summary>Drops the suite's roomy limits, so the server enforces Coffer's defaults (and whatever a test sets).</summary>
    public CofferFactory WithProductionLimits()
    {
        foreach (var key in RoomyRateLimits().Keys)
        {
            Settings.Remove(key);
        }

        return this;
    }

    /// <summary>A client whose requests arrive from <paramref name="address"/> (the connection's remote address).</summary>
    public HttpClient ClientFrom(IPAddress address)
    {
        var handler = Server.CreateHandler(context => context.Connection.RemoteIpAddress = address);
        return new HttpClient(handler) { BaseAddress = ClientOptions.BaseAddress };
    }

    /// <summary>A server over an existing folder that it leaves in place, to check what survives a restart.</summary>
    public static CofferFactory OnExistingFolder(string dataFolder) => new(dataFolder, ownsFolder: false);

    /// <summary>Registrations added over the server's own before it starts (a PostgreSQL data source for the notification bus).</summary>
    public Action<IServiceCollection>? ExtraServices { get; set; }

    /// <summary>The server's clock: real time plus an offset a test may advance (token expiry).</summary>
    public TestClock Clock { get; } = new();

    public static string CreateTempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "coffer-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Anonymous() => CreateClient();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Coffer:DataFolder", DataFolder);
        foreach (var (key, value) in TestDatabase.SettingsFor(DataFolder))
        {
            builder.UseSetting(key, value);
        }

        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            ExtraServices?.Invoke(services);
        });
    }

    private static Dictionary<string, string?> RoomyRateLimits() => new[]
    {
        "LoginPerIp", "LoginPerAccount", "RefreshPerIp", "PreloginPerIp", "PreloginPerAccount",
        "RegistrationPerIp", "RegistrationPerAccount", "TwoFactorPerIp", "TwoFactorPerAccount", "VerifyPasswordPerAccount", "SendAccessPerIp",
    }.ToDictionary(name => $"Coffer:RateLimits:{name}:Limit", _ => (string?)"100000");

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsFolder)
        {
            DeleteFolder(DataFolder);
        }
    }

    /// <summary>Deletes a data folder and, on PostgreSQL, the database named after it.</summary>
    public static void DeleteFolder(string path)
    {
        TestDatabase.Drop(path);
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing; a leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
