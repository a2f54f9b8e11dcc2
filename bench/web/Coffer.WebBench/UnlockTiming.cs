using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Coffer.WebBench;

/// <summary>
/// One measurement, taken inside the page with performance.now() so no driver round trip is counted:
/// <see cref="ToMark"/> from the form's submit event to the app's <c>vault-list-ready</c> mark (the list is in the
/// DOM), <see cref="ToFrame"/> to the first task after the next animation frame (the list has been painted).
/// </summary>
internal sealed record UnlockTiming(double ToMark, double ToFrame, int Rows)
{
    /// <summary>Installed before the app's scripts: records the submit and the frame after the list's mark.</summary>
    public const string Probe = """
        window.__cofferBench = { submitted: null, mark: null, frame: null };
        document.addEventListener('submit', () => {
          window.__cofferBench = { submitted: performance.now(), mark: null, frame: null };
        }, true);
        new PerformanceObserver((entries) => {
          for (const entry of entries.getEntries()) {
            if (entry.name !== 'vault-list-ready' || window.__cofferBench.submitted === null) continue;
            const timing = window.__cofferBench;
            timing.mark = entry.startTime;
            requestAnimationFrame(() => setTimeout(() => { timing.frame = performance.now(); }));
          }
        }).observe({ type: 'mark' });
        """;

    public static async Task<UnlockTiming> MeasureAsync(IPage page, ILocator button, int expectedItems)
    {
        await button.ClickAsync();
        await page.WaitForFunctionAsync("() => window.__cofferBench.frame !== null", null, new() { Timeout = 120_000 });
        var json = await page.EvaluateAsync<JsonElement>("""
            () => ({ ...window.__cofferBench, rows: document.querySelectorAll('[data-testid=vault-list] li a').length })
            """);
        var submitted = json.GetProperty("submitted").GetDouble();
        var timing = new UnlockTiming(
            json.GetProperty("mark").GetDouble() - submitted,
            json.GetProperty("frame").GetDouble() - submitted,
            json.GetProperty("rows").GetInt32());
        return timing.Rows == expectedItems ? timing
            : throw new InvalidOperationException($"The list shows {timing.Rows} items, the vault holds {expectedItems}.");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ToFrame,7:F0} ms (in DOM {ToMark:F0} ms)");
}
