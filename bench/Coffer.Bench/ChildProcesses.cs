using System.Diagnostics;

namespace Coffer.Bench;

/// <summary>
/// Every child still running, so that Ctrl+C or an unhandled exception never leaves a server listening
/// behind the bench. Kills by the tracked process objects only.
/// </summary>
public static class ChildProcesses
{
    private static readonly HashSet<Process> Running = [];

    static ChildProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }

    public static void Track(Process process)
    {
        lock (Running)
        {
            Running.Add(process);
        }
    }

    public static void Forget(Process process)
    {
        lock (Running)
        {
            Running.Remove(process);
        }
    }

    private static void KillAll()
    {
        lock (Running)
        {
            foreach (var process in Running)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already exited.
                }
            }

            Running.Clear();
        }
    }
}
