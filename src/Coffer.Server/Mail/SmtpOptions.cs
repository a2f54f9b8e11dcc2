using MimeKit;

namespace Coffer.Server.Mail;

/// <summary>How the SMTP connection is secured (<c>Coffer:Smtp:Security</c>).</summary>
public enum SmtpSecurity
{
    /// <summary>Plain SMTP; only for a relay on the same machine or a private network.</summary>
    None,

    /// <summary>Plain connection upgraded with STARTTLS (RFC 3207), which must succeed; usually port 587.</summary>
    StartTls,

    /// <summary>TLS from the first byte (RFC 8314 "implicit TLS"); usually port 465.</summary>
    Tls,
}

/// <summary>
/// Outgoing mail (section <c>Coffer:Smtp</c>, so <c>Coffer__Smtp__Host</c> and so on). Without <see cref="Host"/> Coffer
/// sends no mail and every feature works without it, as before. Validated at start: a bad value stops the server
/// with a message naming the setting.
/// </summary>
public sealed class SmtpOptions
{
    /// <summary>The SMTP server's host name or IP address; unset (the default) turns mail off.</summary>
    public string? Host { get; set; }

    /// <summary>TCP port; default by <see cref="Security"/>: 25 (None), 587 (StartTls), 465 (Tls).</summary>
    public int? Port { get; set; }

    /// <summary>Transport security; default <see cref="SmtpSecurity.StartTls"/>.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>
    /// Check the SMTP server's certificate against its CA's revocation lists (default true, as MailKit does). A private
    /// CA that publishes none fails this check with "unable to get certificate CRL": set false for it. The chain to a
    /// trusted root and the host name are checked either way.
    /// </summary>
    public bool CheckCertificateRevocation { get; set; } = true;

    /// <summary>User name for SMTP AUTH; unset sends without authenticating.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender address (required with <see cref="Host"/>), e.g. <c>coffer@example.com</c>.</summary>
    public string? From { get; set; }

    /// <summary>The sender's display name; default <c>Coffer</c>.</summary>
    public string FromName { get; set; } = "Coffer";

    /// <summary>Seconds a connection, a command or a message may take before the attempt counts as failed (1–300, default 30).</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Seconds before the first retry of a message the server did not take (1–3600, default 30); each further retry
    /// waits twice as long, up to an hour, for up to <see cref="GiveUpHours"/>.
    /// </summary>
    public int RetrySeconds { get; set; } = 30;

    /// <summary>Hours after which a message that still could not be delivered is given up (1–720, default 72).</summary>
    public int GiveUpHours { get; set; } = 72;

    /// <summary>Mail an account when a device it never used logs in (default true).</summary>
    public bool NewDeviceAlerts { get; set; } = true;

    /// <summary>Whether mail is on: a <see cref="Host"/> is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    /// <summary>The port to connect to: <see cref="Port"/>, else the usual one for <see cref="Security"/>.</summary>
    public int EffectivePort => Port ?? Security switch
    {
        SmtpSecurity.None => 25,
        SmtpSecurity.Tls => 465,
        _ => 587,
    };

    internal IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (Port is < 1 or > 65535)
        {
            yield return "Coffer:Smtp:Port must be between 1 and 65535.";
        }

        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out var from) || from.Address.IndexOf('@', StringComparison.Ordinal) < 1)
        {
            yield return "Coffer:Smtp:From must be the sender's e-mail address when Coffer:Smtp:Host is set.";
        }

        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return "Coffer:Smtp:Username and Coffer:Smtp:Password must be set together.";
        }

        if (TimeoutSeconds is < 1 or > 300)
        {
            yield return "Coffer:Smtp:TimeoutSeconds must be between 1 and 300.";
        }

        if (RetrySeconds is < 1 or > 3600)
        {
            yield return "Coffer:Smtp:RetrySeconds must be between 1 and 3600.";
        }

        if (GiveUpHours is < 1 or > 720)
        {
            yield return "Coffer:Smtp:GiveUpHours must be between 1 and 720.";
        }
    }
}
