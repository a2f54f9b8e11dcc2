using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// Debian's chromium package driven by Playwright's bundled driver. No browser is ever downloaded: the executable
/// is /usr/bin/chromium, which ./test.sh installs with apt-get when it is missing. Shared by the browser tests and
/// bench/web, so both run the same browser the same way.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    // Headless, and quiet on the network: on a machine without outside access, Chromium's background fetches
    // (component updates, sync, QUIC probes) otherwise stall connections. The root user needs --no-sandbox.
    // Playwright itself adds a fresh --user-data-dir (a temporary profile) to every launch.
    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    /// <summary>
    /// Starts headless Chromium. <paramref name="trustedSpkiPins"/> are Base64 SHA-256 hashes of server public keys
    /// to accept although no system root signed them: the throwaway test CA is not in Chromium's store, and pinning
    /// the exact key trusts that one server and nothing else.
    /// </summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, params string[] trustedSpkiPins) => LaunchAsync(playwright, [], trustedSpkiPins);

    /// <summary>As <see cref="LaunchAsync(IPlaywright, string[])"/>, with more command-line flags (e.g. <c>--host-resolver-rules</c>).</summary>
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright, IReadOnlyList<string> extraFlags, params string[] trustedSpkiPins)
    {
        ArgumentNullException.ThrowIfNull(extraFlags);
        ArgumentNullException.ThrowIfNull(playwright);
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Debian's chromium is not installed ({ExecutablePath} is missing). ./test.sh installs it with apt-get; " +
                "never use a downloaded browser.");
        }

        string[] pins = trustedSpkiPins.Length == 0 ? [] : [$"--ignore-certificate-errors-spki-list={string.Join(',', trustedSpkiPins)}"];
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = [.. Flags, .. pins, .. extraFlags],
        });
    }
}
