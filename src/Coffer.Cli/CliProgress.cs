using Spectre.Console;

namespace Coffer.Cli;

/// <summary>
/// Spinners and progress bars (Spectre.Console) on stderr, only when stderr is a terminal and --quiet is off, so
/// pipes, files and CI logs never see escape codes. Colour is off when NO_COLOR is set (https://no-color.org).
/// Without a terminal the work simply runs.
/// </summary>
public static class CliProgress
{
    /// <summary>Runs <paramref name="work"/> under a spinner with <paramref name="status"/> beside it.</summary>
    public static async Task<T> SpinnerAsync<T>(CliContext ctx, string status, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Console(ctx) is not { } console)
        {
            return await work();
        }

        return await console.Status().StartAsync(status, _ => work());
    }

    /// <inheritdoc cref="SpinnerAsync{T}"/>
    public static Task SpinnerAsync(CliContext ctx, string status, Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return SpinnerAsync(ctx, status, async () =>
        {
            await work();
            return true;
        });
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a progress bar from 0 to <paramref name="total"/> (rows, bytes, items:
    /// any unit); <paramref name="work"/> reports the amount done so far through the <see cref="IProgress{T}"/> it gets.
    /// </summary>
    public static async Task<T> BarAsync<T>(CliContext ctx, string description, double total, Func<IProgress<double>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Console(ctx) is not { } console)
        {
            return await work(new Reporter(null));
        }

        return await console.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask(description, maxValue: total);
            return await work(new Reporter(task));
        });
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a byte-counting bar (done / total, rate, time left) on a terminal; elsewhere
    /// it simply runs. <paramref name="work"/> reports the bytes done so far.
    /// </summary>
    public static async Task<T> BytesAsync<T>(CliContext ctx, string description, long totalBytes, Func<IProgress<long>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Console(ctx) is not { } console)
        {
            return await work(new ByteReporter(null));
        }

        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape(description), maxValue: Math.Max(1, totalBytes));
                var result = await work(new ByteReporter(task));
                task.Value = task.MaxValue;
                return result;
            });
    }

    private static IAnsiConsole? Console(CliContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (!ctx.Host.ErrorIsTerminal || ctx.Options.Quiet)
        {
            return null;
        }

        var noColor = ctx.Host.GetEnvironment("NO_COLOR") is { Length: > 0 };
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(ctx.Host.Error),
            ColorSystem = noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
    }

    // Sets the bar's value directly (System.Progress<T> would post to a synchronization context).
    private sealed class Reporter(ProgressTask? task) : IProgress<double>
    {
        public void Report(double value)
        {
            if (task is not null)
            {
                task.Value = value;
            }
        }
    }

    private sealed class ByteReporter(ProgressTask? task) : IProgress<long>
    {
        public void Report(long value)
        {
            if (task is not null)
            {
                task.Value = value;
            }
        }
    }
}
