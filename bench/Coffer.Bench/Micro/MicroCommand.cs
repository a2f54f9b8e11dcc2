using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Coffer.Bench.Micro;

/// <summary>
/// <c>micro</c>: BenchmarkDotNet over the in-process hot parts of a request. ShortRun (3 warm-ups, 3 iterations)
/// keeps the whole set to a few minutes; the in-process toolchain skips generating and building a separate
/// project, which the repository's locked restore and warnings-as-errors would make fragile.
/// Extra arguments go to BenchmarkDotNet (e.g. <c>--filter *EncString*</c>).
/// </summary>
public static class MicroCommand
{
    public static int Run(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.JoinSummary);
        var arguments = args.Contains("--filter") ? args : [.. args, "--filter", "*"];
        var summaries = BenchmarkSwitcher
            .FromTypes([typeof(EncStringBenchmarks), typeof(CipherBenchmarks), typeof(KdfBenchmarks)])
            .Run(arguments, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
