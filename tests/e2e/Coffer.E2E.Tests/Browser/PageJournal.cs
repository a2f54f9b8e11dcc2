using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// What a page did, for the message of a test that timed out waiting on it: the addresses it went to, its console
/// errors and warnings, its uncaught errors, and the dialogs it opened, with the time since the journal began. A
/// wait that never ends says only what it waited for; this says where the page was instead.
/// </summary>
public sealed class PageJournal
{
    private const int Kept = 40;
    private static readonly ConditionalWeakTable<IPage, PageJournal> Journals = [];

    private readonly Queue<string> entries = new();
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

    private PageJournal(IPage page)
    {
        page.FrameNavigated += (_, frame) =>
        {
            if (frame == page.MainFrame)
            {
                Add($"at {frame.Url}");
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                Add($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => Add($"uncaught: {error}");
        page.Dialog += (_, dialog) => Add($"{dialog.Type} dialog: {dialog.Message}");
    }

    /// <summary>Starts the journal of <paramref name="page"/> (once; later calls keep the first).</summary>
    public static void Begin(IPage page) => Journals.GetValue(page, p => new PageJournal(p));

    /// <summary>
    /// The page now (address, the main region's headings, open modal dialogs' text) and the last entries of its
    /// journal, one per line.
    /// </summary>
    public static async Task<string> DescribeAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var now = "(the page did not answer)";
        try
        {
            now = await page.EvaluateAsync<string>("""
                () => [
                  `address: ${location.href}`,
                  `headings: ${[...document.querySelectorAll('main h1, main h2')].map((h) => h.textContent.trim()).join(' | ') || '(none)'}`,
                  ...[...document.querySelectorAll('dialog[open]')].map((d) => `open dialog: ${d.textContent.trim().slice(0, 300)}`),
                ].join('\n')
                """);
        }
        catch (PlaywrightException)
        {
        }

        string[] journal;
        if (Journals.TryGetValue(page, out var found))
        {
            lock (found.entries)
            {
                journal = [.. found.entries];
            }
        }
        else
        {
            journal = ["(no journal kept)"];
        }

        return $"The page now:\n{now}\nWhat it did:\n{string.Join('\n', journal)}";
    }

    /// <summary>Runs <paramref name="wait"/>; when it times out, throws the same timeout with the page described.</summary>
    public static async Task DescribeOnTimeoutAsync(IPage page, Func<Task> wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        try
        {
            await wait();
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message}\n{await DescribeAsync(page)}", timeout);
        }
    }

    private void Add(string entry)
    {
        lock (entries)
        {
            entries.Enqueue($"{clock.Elapsed.TotalSeconds,7:0.000} s  {entry}");
            while (entries.Count > Kept)
            {
                entries.Dequeue();
            }
        }
    }
}
