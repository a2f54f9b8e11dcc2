using System.Threading.Channels;
using Coffer.Server.Data;
using Coffer.Server.Hosting;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Coffer.Server.Mail;

/// <summary>
/// Delivers the outbox (<see cref="OutboxMessage"/>) to the SMTP server of <c>Coffer:Smtp</c> with MailKit, in the
/// background: woken by every commit that queued mail (<see cref="MailSignal"/>), and at least every
/// <see cref="PollInterval"/> for retries and for mail queued by other nodes. Each message is claimed with a
/// conditional update before it is sent, so on a shared database (PostgreSQL) one node delivers it. A message the
/// server does not take is retried with back-off (<see cref="SmtpOptions.RetrySeconds"/>, doubling up to an hour); one
/// it refuses for good (a 5xx reply to it) or still failing after <see cref="SmtpOptions.GiveUpHours"/> is kept with
/// <see cref="OutboxMessage.FailedDate"/> and logged. Delivered messages are deleted.
/// </summary>
public sealed partial class MailSender(
    IServiceScopeFactory scopes, MailSignal signal, IOptions<ServerOptions> options, TimeProvider time, CofferMetrics metrics, ILogger<MailSender> logger)
    : BackgroundService
{
    /// <summary>Longest wait between two looks at the outbox.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(15);

    /// <summary>Messages claimed and sent over one SMTP connection.</summary>
    public const int BatchSize = 20;

    private static readonly TimeSpan LongestBackOff = TimeSpan.FromHours(1);

    private SmtpOptions Smtp => options.Value.Smtp;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Smtp.Enabled)
        {
            return;
        }

        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await DeliverDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database away, most likely: the outbox is still there when it is back.
                LogOutboxError(e);
                wait = PollInterval;
            }

            try
            {
                await signal.WaitAsync(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Delivers one batch of due messages; answers how long to wait before looking again.</summary>
    internal async Task<TimeSpan> DeliverDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var now = time.GetUtcNow().UtcDateTime;
        var candidates = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.FailedDate == null && m.NextAttemptDate <= now && (m.LockedUntil == null || m.LockedUntil < now))
            .OrderBy(m => m.NextAttemptDate).Select(m => m.Id).Take(BatchSize).ToListAsync(ct);
        var lease = now + TimeSpan.FromSeconds((Smtp.TimeoutSeconds * 3) + 60);
        var claimed = new List<OutboxMessage>();
        foreach (var id in candidates)
        {
            var won = await db.OutboxMessages.Where(m => m.Id == id && m.FailedDate == null && (m.LockedUntil == null || m.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, lease), ct);
            if (won == 1 && await db.OutboxMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct) is { } message)
            {
                claimed.Add(message);
            }
        }

        if (claimed.Count > 0)
        {
            await SendBatchAsync(db, claimed, ct);
        }

        if (candidates.Count == BatchSize)
        {
            return TimeSpan.Zero;
        }

        var next = await db.OutboxMessages.AsNoTracking().Where(m => m.FailedDate == null)
            .OrderBy(m => m.NextAttemptDate).Select(m => (DateTime?)m.NextAttemptDate).FirstOrDefaultAsync(ct);
        var until = next is { } due ? due - time.GetUtcNow().UtcDateTime : PollInterval;
        return until < TimeSpan.Zero ? TimeSpan.Zero : until < PollInterval ? until : PollInterval;
    }

    private async Task SendBatchAsync(CofferDb db, List<OutboxMessage> batch, CancellationToken ct)
    {
        using var client = new SmtpClient();
        var index = 0;
        try
        {
            await ConnectAsync(client, Smtp, ct);
            for (; index < batch.Count; index++)
            {
                var message = batch[index];
                try
                {
                    await client.SendAsync(Build(Smtp, message.To, new RenderedMail(message.Subject, message.TextBody, message.HtmlBody)), ct);
                }
                catch (ParseException e)
                {
                    // An address MimeKit cannot parse: no retry can help, and the rest of the batch must still go.
                    await FailAsync(db, message, "Not a deliverable address: " + e.Message, permanent: true, ct);
                    continue;
                }
                catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
                {
                    // Refused for good (unknown recipient, rejected content): retrying cannot help.
                    await FailAsync(db, message, Describe(e), permanent: true, ct);
                    continue;
                }
                catch (SmtpCommandException e)
                {
                    await FailAsync(db, message, Describe(e), permanent: false, ct);
                    continue;
                }

                await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteDeleteAsync(CancellationToken.None);
                metrics.MailSent(message.Template);
                LogDelivered(message.Template, message.Attempts + 1);
            }

            await client.DisconnectAsync(quit: true, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The connection failed or broke: this message and the rest of the batch wait for a retry.
            for (; index < batch.Count; index++)
            {
                await FailAsync(db, batch[index], Describe(e), permanent: false, CancellationToken.None);
            }
        }
    }

    private async Task FailAsync(CofferDb db, OutboxMessage message, string error, bool permanent, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var attempts = message.Attempts + 1;
        var giveUp = permanent || now - message.CreationDate >= TimeSpan.FromHours(Smtp.GiveUpHours);
        var backOff = TimeSpan.FromSeconds(Smtp.RetrySeconds * Math.Pow(2, Math.Min(attempts - 1, 20)));
        var next = now + (backOff < LongestBackOff ? backOff : LongestBackOff);
        var reason = error.Length > 512 ? error[..512] : error;
        await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.LastError, reason)
            .SetProperty(m => m.LockedUntil, (DateTime?)null)
            .SetProperty(m => m.NextAttemptDate, next)
            .SetProperty(m => m.FailedDate, giveUp ? now : null), ct);
        metrics.MailFailed(message.Template, giveUp);
        if (giveUp)
        {
            LogGivenUp(message.Template, attempts, reason);
        }
        else
        {
            LogRetry(message.Template, attempts, (next - now).TotalSeconds, reason);
        }
    }

    /// <summary>
    /// Sends one message now, outside the outbox (<c>coffer-server smtp test</c> and the admin page's test): throws
    /// what MailKit throws (<see cref="SmtpCommandException"/>, <see cref="MailKit.ProtocolException"/>,
    /// <see cref="AuthenticationException"/>, socket and TLS errors), so the caller can show why mail fails.
    /// </summary>
    public static async Task SendDirectAsync(SmtpOptions smtp, string to, RenderedMail mail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        ArgumentNullException.ThrowIfNull(mail);
        using var client = new SmtpClient();
        await ConnectAsync(client, smtp, ct);
        await client.SendAsync(Build(smtp, to, mail), ct);
        await client.DisconnectAsync(quit: true, ct);
    }

    /// <summary>
    /// Sends the <c>smtp-test</c> mail to <paramref name="to"/> now (<see cref="SendDirectAsync"/>) and answers null when
    /// the server took it, else why not, in words for the admin (<see cref="Describe"/>).
    /// </summary>
    public static async Task<string?> SendTestAsync(SmtpOptions smtp, string to, string? vaultUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        var mail = MailTemplates.Render("smtp-test", new Dictionary<string, string?> { ["vault_url"] = vaultUrl });
        try
        {
            await SendDirectAsync(smtp, to, mail, ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return Describe(e);
        }
    }

    /// <summary>What went wrong talking to the SMTP server, in one line that names the step (connect, TLS, login, the server's reply).</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);

        // MailKit wraps what the socket or TLS layer threw (an IOException "see inner exception"): name the cause.
        while (e is IOException { InnerException: { } inner })
        {
            e = inner;
        }

        var text = e switch
        {
            SmtpCommandException c => $"The mail server answered {(int)c.StatusCode}: {c.Message}",
            AuthenticationException => "The mail server refused the user name or password: " + e.Message,
            SslHandshakeException => "TLS with the mail server failed (is its certificate trusted and for this host name?): " + e.Message,
            System.Net.Sockets.SocketException => "Could not connect to the mail server: " + e.Message,
            OperationCanceledException or TimeoutException => "The mail server did not answer in time.",
            ParseException => "Not a deliverable address: " + e.Message,
            _ => e.Message,
        };
        if (e is SslHandshakeException && text.Contains("CRL", StringComparison.Ordinal))
        {
            text += " (a CA without revocation lists needs Coffer:Smtp:CheckCertificateRevocation=false)";
        }

        var line = string.Join(' ', text.ReplaceLineEndings(" ").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return line.Length > 512 ? line[..512] : line;
    }

    private static async Task ConnectAsync(SmtpClient client, SmtpOptions smtp, CancellationToken ct)
    {
        client.Timeout = smtp.TimeoutSeconds * 1000;
        client.CheckCertificateRevocation = smtp.CheckCertificateRevocation;
        var security = smtp.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(smtp.Host!, smtp.EffectivePort, security, ct);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
        }
    }

    private static MimeMessage Build(SmtpOptions smtp, string to, RenderedMail mail)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(smtp.FromName, smtp.From!));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = mail.Subject;
        // RFC 3834: machine-written, so auto-responders do not answer it.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new BodyBuilder { TextBody = mail.Text, HtmlBody = mail.Html }.ToMessageBody();
        return message;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail '{Template}' delivered (attempt {Attempt}).")]
    private partial void LogDelivered(string template, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail '{Template}' not delivered (attempt {Attempt}); retrying in {Seconds} s: {Error}")]
    private partial void LogRetry(string template, int attempt, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mail '{Template}' given up after {Attempts} attempt(s): {Error}")]
    private partial void LogGivenUp(string template, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The mail outbox could not be read; trying again shortly.")]
    private partial void LogOutboxError(Exception e);
}

/// <summary>Wakes <see cref="MailSender"/> on this node when a commit queued mail (<see cref="Changes"/>).</summary>
public sealed class MailSignal
{
    private readonly Channel<bool> channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => channel.Writer.TryWrite(true);

    /// <summary>Returns when woken or after <paramref name="timeout"/>; throws when <paramref name="ct"/> is cancelled.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            await channel.Reader.ReadAsync(either.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The timeout: time to look again.
        }
    }
}

public static class MailSetup
{
    /// <summary>Outgoing mail: <see cref="Mailer"/> for requests, <see cref="MailSender"/> delivering the outbox.</summary>
    public static IServiceCollection AddMail(this IServiceCollection services) =>
        services.AddSingleton<MailSignal>()
            .AddScoped<Mailer>()
            .AddHostedService<MailSender>();
}
