using System.Globalization;
using Xunit.Abstractions;

namespace Coffer.E2E.Tests.Harness;

/// <summary>
/// The figures of one fault test: how many writes were attempted, how many the server acknowledged, and how many
/// of those were found after recovery. They are reported, never asserted on as numbers (only "every acknowledged
/// write was found" is a fact under test): to the test output, and appended to artifacts/fault-figures.md.
/// </summary>
public sealed record FaultFigures(string Test, int Attempted, int Acknowledged, int AcknowledgedFound, int UnacknowledgedFound, string Detail)
{
    public static string FiguresFile => Path.Combine(RepoPaths.Root, "artifacts", "fault-figures.md");

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Test}: attempted {Attempted}, acknowledged {Acknowledged}, acknowledged found after recovery {AcknowledgedFound}, " +
        $"unacknowledged but found {UnacknowledgedFound}. {Detail}");

    public void Report(ITestOutputHelper output)
    {
        output.WriteLine(ToString());
        Directory.CreateDirectory(Path.GetDirectoryName(FiguresFile)!);
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"| {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm:ss}Z | {Test} | {Attempted} | {Acknowledged} | {AcknowledgedFound} | {UnacknowledgedFound} | {Detail} |\n");
        lock (FileLock)
        {
            if (!File.Exists(FiguresFile))
            {
                File.WriteAllText(FiguresFile, "| UTC | test | attempted | acknowledged | acknowledged found | unacknowledged found | detail |\n|---|---|---|---|---|---|---|\n");
            }

            File.AppendAllText(FiguresFile, line);
        }
    }

    private static readonly Lock FileLock = new();
}
