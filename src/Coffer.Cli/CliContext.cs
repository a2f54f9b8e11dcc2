using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;

namespace Coffer.Cli;

/// <summary>The global options of one invocation (the same names as <c>bw</c>'s where <c>bw</c> has them).</summary>
public sealed record GlobalOptions(string? Server, string? CaCert, string? PasswordEnv, string? PasswordFile, string? Session = null, bool Quiet = false);

/// <summary>Per-invocation plumbing shared by the verbs: config, session, the master password, the typed client.</summary>
public sealed class CliContext(CliHost host, GlobalOptions options)
{
    // The official clients refresh when fewer than five minutes remain (protocol §1.4); so do we.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    public CliHost Host { get; } = host;

    public GlobalOptions Options { get; } = options;

    public ConfigDirectory Directory { get; } = ConfigDirectory.Resolve(host.GetEnvironment);

    public CliConfig LoadConfig() => Directory.Read<CliConfig>(StateFiles.Config) ?? new CliConfig();

    public void SaveConfig(CliConfig config) => Directory.Write(StateFiles.Config, config);

    public SessionState? LoadSession() => Directory.Read<SessionState>(StateFiles.Session);

    /// <summary>The logged-in session with its account's pins attached (organization trust, malicious-server.md BW08).</summary>
    public SessionState RequireSession() => Commands.OrganizationGuard.Attach(this, LoadSession() ?? throw CliException.NotLoggedIn());

    public void SaveSession(SessionState session) => Directory.Write(StateFiles.Session, session);

    /// <summary>The pins of (<paramref name="server"/>, <paramref name="email"/>) on this machine, or null before the first login there.</summary>
    public AccountPins? LoadPins(Uri server, string email) => Directory.Read<AccountPins>(PinsFile(server, email));

    /// <summary>Writes the pins (0600, atomically); they outlive logout, so the next login is checked against them.</summary>
    public void SavePins(AccountPins pins)
    {
        ArgumentNullException.ThrowIfNull(pins);
        Directory.Write(PinsFile(new Uri(pins.Server), pins.Email), pins);
    }

    /// <summary>Forgets the pins of an account that was deleted from this device.</summary>
    public void DeletePins(Uri server, string email) => Directory.Delete(PinsFile(server, email));

    private static string PinsFile(Uri server, string email) => $"pins-{AccountPins.FileKey(server.ToString(), email)}.json";

    /// <summary>This installation's device GUID, created once and kept across logins (servers key devices by it).</summary>
    public string DeviceId()
    {
        var config = LoadConfig();
        if (config.DeviceId is { } id)
        {
            return id;
        }

        id = Guid.NewGuid().ToString();
        SaveConfig(config with { DeviceId = id });
        return id;
    }

    /// <summary>--server, else the logged-in session's server, else <c>coffer config server</c>.</summary>
    public Uri ServerUrl(SessionState? session = null)
    {
        var text = Options.Server ?? session?.Server ?? LoadConfig().Server
            ?? throw new CliException("No server configured. Run `coffer config server URL` or pass --server URL.");
        return ParseServer(text);
    }

    public static Uri ParseServer(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new CliException($"'{text}' is not an http(s) URL.");

    public CofferApiClient CreateClient(Uri server, string? accessToken = null) =>
        new(CofferHttp.CreateHandler(Options.CaCert), server, DeviceId()) { AccessToken = accessToken };

    /// <summary>
    /// A client for the session's server with a fresh access token. Refresh tokens rotate, so the new pair is
    /// written to the session before anything else happens.
    /// </summary>
    public async Task<(CofferApiClient Client, SessionState Session)> ConnectAsync(SessionState session, bool forceRefresh, CancellationToken ct)
    {
        var client = CreateClient(ServerUrl(session), session.AccessToken);
        if (!forceRefresh && AccessTokenExpiry(session.AccessToken) is { } expiry && expiry - Host.Time.GetUtcNow() > RefreshMargin)
        {
            return (client, session);
        }

        try
        {
            var token = await client.RefreshAsync(session.RefreshToken, ct);
            session = session with { AccessToken = token.AccessToken, RefreshToken = token.RefreshToken };
            SaveSession(session);
            client.AccessToken = token.AccessToken;
            return (client, session);
        }
        catch (CofferApiException e) when (e.Error == "invalid_grant")
        {
            client.Dispose();
            throw CliException.NotLoggedIn("Your session has expired. Run `coffer login EMAIL` again.", e);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The master password from --passwordenv, --passwordfile, or a no-echo prompt, in that order.</summary>
    public string ReadMasterPassword()
    {
        if (Options.PasswordEnv is { } variable)
        {
            return Host.GetEnvironment(variable) is { Length: > 0 } fromEnv
                ? fromEnv
                : throw new CliException($"Environment variable {variable} is empty or not set.");
        }

        if (Options.PasswordFile is { } file)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"Cannot read password file '{file}': {e.Message}", e);
            }

            // Only the first line counts, as with bw: files made by `echo` end with a newline.
            var line = text.Split('\n')[0].TrimEnd('\r');
            return line.Length > 0 ? line : throw new CliException($"Password file '{file}' is empty.");
        }

        if (Host.ReadSecretFromTerminal is null)
        {
            throw new CliException("No terminal to ask for the master password; pass --passwordenv VAR or --passwordfile FILE.");
        }

        return Host.ReadSecretFromTerminal() is { Length: > 0 } typed ? typed : throw new CliException("No master password given.");
    }

    /// <summary>
    /// A two-step login code typed at the terminal; without one (scripts, CI) the same message as bw, so a
    /// caller knows to pass <c>--code</c>. <paramref name="question"/> names where the code comes from.
    /// </summary>
    public string PromptTwoFactorCode(IReadOnlyList<int> providers, string question = "Two-step login code: ")
    {
        var typed = Host.ReadLineFromTerminal?.Invoke(question)?.Trim()
            ?? throw CliException.TwoFactorRequired($"Code is required. Two-step login is on (providers {string.Join(", ", providers)}); pass --code CODE.");
        return typed.Length > 0 ? typed : throw CliException.TwoFactorRequired("Code is required. Pass --code CODE.");
    }

    /// <summary>
    /// Which offered provider the CLI answers (protocol §4.3.3): only codes can be typed, so the authenticator app (0)
    /// and e-mail (1). With both, a terminal chooses and a script gets the app, as before. Security keys (7) need a
    /// browser: with nothing else offered this fails with bw's words, and says what works instead.
    /// </summary>
    public int ChooseTwoFactorProvider(IReadOnlyList<int> providers, string? maskedEmail)
    {
        ArgumentNullException.ThrowIfNull(providers);
        List<int> usable = [.. providers.Where(p => p is 0 or 1).Order()];
        if (usable.Count == 0)
        {
            throw new CliException(providers.Contains(7)
                ? "No providers available for this client. This account's two-step login uses security keys only, which the command line cannot use: "
                    + "log in with the web vault, the browser extension or the desktop app, add an authenticator app or e-mail codes there, or use the recovery code with --method 8."
                : $"No providers available for this client (providers {string.Join(", ", providers)}).");
        }

        if (usable.Count == 1 || Host.ReadLineFromTerminal is not { } ask)
        {
            return usable[0];
        }

        var answer = ask($"Two-step login method: 0 = authenticator app, 1 = e-mail to {maskedEmail ?? "your address"} [0]: ")?.Trim();
        return answer switch
        {
            null or "" or "0" => 0,
            "1" => 1,
            _ => throw new CliException("Choose 0 (authenticator app) or 1 (e-mail)."),
        };
    }

    /// <summary>The master password hash for re-verification (account doc §1), derived with the session's e-mail and KDF.</summary>
    public string MasterPasswordHash(SessionState session)
    {
        ArgumentNullException.ThrowIfNull(session);
        AccountGuard.BeforeUse(this, session);
        var password = ReadMasterPassword();
        var masterKey = MasterKeys.DeriveMasterKey(password, session.Email, session.Kdf.ToConfig());
        try
        {
            return MasterKeys.HashMasterPassword(masterKey, password);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }
    }

    /// <summary>--session, else $COFFER_SESSION; null when neither is set.</summary>
    public string? SessionKeyText => Options.Session is { Length: > 0 } given ? given
        : Host.GetEnvironment(SessionKey.EnvironmentVariable) is { Length: > 0 } fromEnv ? fromEnv
        : null;

    /// <summary>
    /// The user key: opened with the session key (COFFER_SESSION or --session) when one is given, never asking for
    /// the password; else unwrapped with the master password (flags or prompt).
    /// </summary>
    /// <exception cref="CliException">Exit 4 (locked): the session key is wrong or stale, or there is neither a key nor a way to get the password.</exception>
    public SymmetricKey UnlockUserKey(SessionState session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (SessionKeyText is { } key)
        {
            return session.Unlocked is { } entry
                ? SessionKey.Open(entry, key, session.Email)
                : throw CliException.Locked($"{SessionKey.EnvironmentVariable} is set, but the vault was locked (by `coffer lock` or a new login). Run `coffer unlock` and export the new key.");
        }

        if (Options.PasswordEnv is null && Options.PasswordFile is null && Host.ReadSecretFromTerminal is null)
        {
            throw CliException.Locked("The vault is locked. Run `eval \"$(coffer unlock)\"` (or set COFFER_SESSION), or pass --passwordenv VAR or --passwordfile FILE.");
        }

        return UnlockWithPassword(session);
    }

    /// <summary>The user key unwrapped with the master password (flags or prompt), whatever COFFER_SESSION says.</summary>
    public SymmetricKey UnlockWithPassword(SessionState session)
    {
        ArgumentNullException.ThrowIfNull(session);
        try
        {
            return AccountGuard.Unlock(this, session, ReadMasterPassword());
        }
        catch (CryptographicException e)
        {
            throw new CliException("Invalid master password.", e);
        }
    }

    /// <summary>A message for people (not data): stdout unless --quiet.</summary>
    public void Info(string message)
    {
        if (!Options.Quiet)
        {
            Host.Out.WriteLine(message);
        }
    }

    /// <summary>A remark on stderr (hints, warnings) unless --quiet, so stdout keeps only what scripts capture.</summary>
    public void Notice(string message)
    {
        if (!Options.Quiet)
        {
            Host.Error.WriteLine(message);
        }
    }

    /// <summary>The <c>exp</c> claim of a JWT, read without verifying the signature (only the server needs to trust it).</summary>
    internal static DateTimeOffset? AccessTokenExpiry(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            return doc.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
