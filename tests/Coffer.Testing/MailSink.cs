using System.Diagnostics;
using System.Text.Json;
using MimeKit;

namespace Coffer.Testing;

/// <summary>
/// A real SMTP server for tests: <c>mailsink.py</c> (Debian's <c>python3-aiosmtpd</c>, installed by <c>./test.sh</c>)
/// listening on 127.0.0.1 on a free port and writing each accepted message to <see cref="Folder"/>. Give the server
/// under test <see cref="Settings"/>; read what it sent with <see cref="WaitForAsync"/> (parsed with MimeKit).
/// <see cref="Refuse"/> makes the sink answer 451 (try later), <see cref="Reject"/> 550 (refused for good);
/// <see cref="DisposeAsync"/> stops it (a stopped sink is a mail server that is down).
/// </summary>
public sealed class MailSink : IAsyncDisposable
{
    /// <summary>The interpreter with Debian's packages (a pyenv or venv <c>python3</c> earlier on PATH lacks aiosmtpd).</summary>
    public const string Python = "/usr/bin/python3";

    private readonly Process process;

    private MailSink(Process process, int port, string folder)
    {
        this.process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    /// <summary>Where the sink writes <c>NNNNN.eml</c> (the message) and <c>NNNNN.json</c> (its envelope).</summary>
    public string Folder { get; }

    /// <summary>The <c>Coffer:Smtp</c> settings that point a Coffer server at this sink (plain SMTP, fast retries).</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Coffer:Smtp:Host"] = "127.0.0.1",
        ["Coffer:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Coffer:Smtp:Security"] = "None",
        ["Coffer:Smtp:From"] = "coffer@coffer.test",
        ["Coffer:Smtp:RetrySeconds"] = "1",
        ["Coffer:Smtp:TimeoutSeconds"] = "10",
    };

    /// <summary>The same settings as environment variables, for a server started as a process.</summary>
    public IReadOnlyDictionary<string, string?> Environment =>
        Settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);

    /// <summary>
    /// Starts a sink; <paramref name="extraArguments"/> go to <c>mailsink.py</c> (<c>--tls starttls --cert … --key …</c>,
    /// <c>--auth user:password</c>). <paramref name="port"/> restarts a sink on a port an earlier one used.
    /// </summary>
    public static async Task<MailSink> StartAsync(IEnumerable<string>? extraArguments = null, int? port = null, string? folder = null)
    {
        folder ??= Path.Combine(Path.GetTempPath(), "coffer-mail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var chosen = port ?? LoopbackPorts.Free();
        var script = Path.Combine(AppContext.BaseDirectory, "mailsink.py");
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { script, "--port", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture), "--folder", folder }.Concat(extraArguments ?? []))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("mailsink.py did not start");
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(ready.Token);
        if (line != "READY")
        {
            var error = await process.StandardError.ReadToEndAsync(CancellationToken.None);
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"mailsink.py did not start (is python3-aiosmtpd installed? ./test.sh installs it): {line} {error}");
        }

        return new MailSink(process, chosen, folder);
    }

    /// <summary>Answer every message with 451 (a temporary failure) while <paramref name="on"/>.</summary>
    public void Refuse(bool on = true) => Switch("refuse", on);

    /// <summary>Answer every message with 550 (a permanent failure) while <paramref name="on"/>.</summary>
    public void Reject(bool on = true) => Switch("reject", on);

    /// <summary>Every message received so far, oldest first.</summary>
    public IReadOnlyList<SunkMail> Messages() =>
        [.. Directory.EnumerateFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(Read)];

    /// <summary>
    /// Waits (up to <paramref name="timeout"/>, default 20 s) for a message to <paramref name="to"/> that matches
    /// <paramref name="match"/>, and returns it; throws <see cref="TimeoutException"/> listing what did arrive.
    /// </summary>
    public async Task<SunkMail> WaitForAsync(string to, Func<SunkMail, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (true)
        {
            var found = Messages().FirstOrDefault(m => m.To.Contains(to, StringComparer.OrdinalIgnoreCase) && (match is null || match(m)));
            if (found is not null)
            {
                return found;
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"No mail to {to} arrived within {limit.TotalSeconds} s; received: "
                    + string.Join("; ", Messages().Select(m => $"{string.Join(',', m.To)}: {m.Subject}")));
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every message to <paramref name="to"/> so far.</summary>
    public IReadOnlyList<SunkMail> To(string to) =>
        [.. Messages().Where(m => m.To.Contains(to, StringComparer.OrdinalIgnoreCase))];

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    /// <summary>Deletes the received messages (the sink keeps running).</summary>
    public void Clear()
    {
        foreach (var file in Directory.EnumerateFiles(Folder).Where(f => f.EndsWith(".eml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }
    }

    private void Switch(string name, bool on)
    {
        var path = Path.Combine(Folder, name);
        if (on)
        {
            File.WriteAllText(path, "");
        }
        else
        {
            File.Delete(path);
        }
    }

    private static SunkMail Read(string path)
    {
        var message = MimeMessage.Load(path);
        using var envelope = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".json")));
        var recipients = envelope.RootElement.GetProperty("rcpt_tos").EnumerateArray().Select(e => e.GetString()!).ToList();
        return new SunkMail(message, recipients, envelope.RootElement.GetProperty("tls").GetBoolean(), envelope.RootElement.GetProperty("authenticated").GetBoolean());
    }
}

/// <summary>One message the sink accepted: the parsed message, its envelope recipients, and how it came (TLS, AUTH).</summary>
public sealed record SunkMail(MimeMessage Message, IReadOnlyList<string> To, bool OverTls, bool Authenticated)
{
    public string Subject => Message.Subject ?? "";

    public string Text => Message.TextBody ?? "";

    public string Html => Message.HtmlBody ?? "";

    /// <summary>Every absolute http(s) link in the plain-text part, in order.</summary>
    public IReadOnlyList<string> Links =>
        [.. System.Text.RegularExpressions.Regex.Matches(Text, @"https?://[^\s<>""]+").Select(m => m.Value)];
}
