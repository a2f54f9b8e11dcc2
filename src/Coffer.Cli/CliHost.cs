namespace Coffer.Cli;

/// <summary>
/// What the CLI touches outside itself, so tests can run it in-process: streams, environment, clock, and
/// whether a person is at a terminal (stdin for prompts, stdout for confirmations, stderr for progress).
/// </summary>
public sealed record CliHost(
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> GetEnvironment,
    TimeProvider Time,
    Func<string?>? ReadSecretFromTerminal,
    Func<string, string?>? ReadLineFromTerminal = null,
    Func<string, string?>? ReadSecretWithPrompt = null,
    bool OutIsTerminal = false,
    bool ErrorIsTerminal = false,
    Func<Stream>? OpenBinaryOut = null)
{

    public static CliHost System() => new(
        Console.Out,
        Console.Error,
        Environment.GetEnvironmentVariable,
        TimeProvider.System,
        Console.IsInputRedirected ? null : () => ReadHidden("Master password: "),
        Console.IsInputRedirected ? null : Prompt,
        Console.IsInputRedirected ? null : ReadHidden,
        !Console.IsOutputRedirected,
        !Console.IsErrorRedirected,
        Console.OpenStandardOutput);

    /// <summary>Asks on stderr (stdout stays clean for scripts) and reads one line, for non-secret answers such as a 2FA code.</summary>
    private static string? Prompt(string question)
    {
        Console.Error.Write(question);
        return Console.ReadLine();
    }

    /// <summary>Reads a line without echo, so a password never appears on screen or in scrollback.</summary>
    private static string? ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var buffer = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return buffer.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (buffer.Length > 0)
                {
                    buffer.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                buffer.Append(key.KeyChar);
            }
        }
    }
}
