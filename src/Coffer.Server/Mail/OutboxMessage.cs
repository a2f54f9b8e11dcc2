namespace Coffer.Server.Mail;

/// <summary>
/// One mail waiting to be delivered (table <c>mail_outbox</c>): rendered when the change that causes it is made and
/// saved in that change's transaction (<see cref="Mailer"/>), so a change that rolls back sends nothing; delivered and
/// deleted by <see cref="MailSender"/>. A message that could not be delivered within <see cref="SmtpOptions.GiveUpHours"/>
/// stays with <see cref="FailedDate"/> set, for the admin to see.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>The recipient's address.</summary>
    public required string To { get; set; }

    public required string Subject { get; set; }

    public required string TextBody { get; set; }

    public required string HtmlBody { get; set; }

    /// <summary>The template's name (<see cref="MailTemplates"/>): which kind of mail this is, for logs and the admin.</summary>
    public required string Template { get; set; }

    public DateTime CreationDate { get; set; }

    /// <summary>Not before this instant: the creation date, then the back-off after each failed attempt.</summary>
    public DateTime NextAttemptDate { get; set; }

    public int Attempts { get; set; }

    /// <summary>A sender is delivering it until then (a node that dies mid-delivery leaves it to another after that).</summary>
    public DateTime? LockedUntil { get; set; }

    /// <summary>What the last failed attempt answered (the SMTP server's reply or the connection error), cut to 512 characters.</summary>
    public string? LastError { get; set; }

    /// <summary>Set when the message was given up: refused for good by the server, or still failing after <see cref="SmtpOptions.GiveUpHours"/>.</summary>
    public DateTime? FailedDate { get; set; }
}
