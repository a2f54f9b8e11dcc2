using Coffer.Server.Data;
using Coffer.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Mail;

/// <summary>
/// Queues mail with the change that causes it: <see cref="Queue"/> renders the template now and adds the message to
/// the outbox through the request's <see cref="CofferDb"/>, so it is saved by that change's
/// <see cref="Changes.CommitAsync(Guid?, CancellationToken)"/> (in the same transaction: a change that rolls back
/// sends nothing) and delivered afterwards by <see cref="MailSender"/> (no request waits on the mail server).
/// Without <c>Coffer:Smtp:Host</c> (<see cref="Enabled"/> false) <see cref="Queue"/> does nothing; features that
/// cannot work without mail check <see cref="Enabled"/> first.
/// </summary>
public sealed class Mailer(CofferDb db, IOptions<ServerOptions> options, IHttpContextAccessor http, TimeProvider time)
{
    /// <summary>Whether Coffer sends mail (<see cref="SmtpOptions.Enabled"/>).</summary>
    public bool Enabled => options.Value.Smtp.Enabled;

    /// <summary>Whether to mail an account when a device it never used logs in (<see cref="SmtpOptions.NewDeviceAlerts"/>, with mail on).</summary>
    public bool NewDeviceAlerts => Enabled && options.Value.Smtp.NewDeviceAlerts;

    /// <summary>The address the current request comes from (after trusted proxies), for alerts; null outside a request.</summary>
    public string? ClientAddress => http.HttpContext?.Connection.RemoteIpAddress?.ToString();

    /// <summary>
    /// The web vault's address without a trailing slash, for links in mail: the address of the current request
    /// (which <c>Coffer:PublicUrl</c>, when set, has already replaced), else <c>Coffer:PublicUrl</c>; null when
    /// neither is known (a background job on a server without <c>Coffer:PublicUrl</c>).
    /// </summary>
    public string? VaultUrl => http.HttpContext?.Request is { } request
        ? PublicUrl.Origin(request)
        : options.Value.PublicUrl?.TrimEnd('/');

    /// <summary>
    /// Renders <paramref name="template"/> (a name in <see cref="MailTemplates.Names"/>) for <paramref name="to"/> with
    /// <paramref name="values"/> (plus <c>vault_url</c>, <see cref="VaultUrl"/>, unless given) and adds it to the
    /// outbox; saved by the caller's next commit. Does nothing when mail is off.
    /// </summary>
    public void Queue(string to, string template, IReadOnlyDictionary<string, string?>? values = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        if (!Enabled)
        {
            return;
        }

        var all = new Dictionary<string, string?>(values ?? new Dictionary<string, string?>(), StringComparer.Ordinal);
        all.TryAdd("vault_url", VaultUrl);
        var mail = MailTemplates.Render(template, all);
        var now = time.GetUtcNow().UtcDateTime;
        db.OutboxMessages.Add(new OutboxMessage
        {
            Id = Guid.NewGuid(),
            To = to,
            Subject = mail.Subject,
            TextBody = mail.Text,
            HtmlBody = mail.Html,
            Template = template,
            CreationDate = now,
            NextAttemptDate = now,
        });
    }
}
