using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Coffer.Server.Hosting;
using Coffer.Server.Mail;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Admin;

/// <summary>
/// <c>/admin/api/mail</c>: the state of outgoing mail (settings without the password, the outbox's queued and given-up
/// messages) and <c>/admin/api/mail/test</c>, which sends a test message now and says why it failed
/// (<see cref="MailSender.SendTestAsync"/>), like <c>coffer-server smtp test</c>.
/// </summary>
public static class AdminMailEndpoints
{
    /// <summary>Given-up messages listed, newest first.</summary>
    public const int FailuresShown = 20;

    public static void MapAdminMail(this IEndpointRouteBuilder admin)
    {
        admin.MapGet("/mail", Status).WithSummary("Outgoing mail: whether it is on, the SMTP server, queued and given-up messages (the newest 20 failures with their error)");
        admin.MapPost("/mail/test", Test).WithSummary("Send a test message now; 502 with the mail server's error in detail when it fails, 409 when mail is off")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway);
    }

    private static async Task<Ok<AdminMailModel>> Status(CofferDb db, IOptions<ServerOptions> options, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        var queued = await db.OutboxMessages.CountAsync(m => m.FailedDate == null, ct);
        var failed = await db.OutboxMessages.CountAsync(m => m.FailedDate != null, ct);
        var failures = await db.OutboxMessages.AsNoTracking().Where(m => m.FailedDate != null)
            .OrderByDescending(m => m.FailedDate).Take(FailuresShown)
            .Select(m => new AdminMailFailure(m.Id, m.To, m.Template, m.CreationDate, m.FailedDate!.Value, m.Attempts, m.LastError))
            .ToListAsync(ct);
        var lastError = await db.OutboxMessages.AsNoTracking().Where(m => m.FailedDate == null && m.LastError != null)
            .OrderByDescending(m => m.NextAttemptDate).Select(m => m.LastError).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new AdminMailModel(
            smtp.Enabled, smtp.Enabled ? smtp.Host : null, smtp.Enabled ? smtp.EffectivePort : null, smtp.Enabled ? smtp.Security.ToString() : null,
            smtp.Enabled ? smtp.From : null, queued, failed, lastError, failures));
    }

    private static async Task<Results<Ok<AdminMailTestResult>, ProblemHttpResult>> Test(
        AdminMailTestRequest request, HttpRequest http, IOptions<ServerOptions> options, CancellationToken ct)
    {
        if (RegistrationEndpoints.NormalizeEmail(request.Email) is not { } to)
        {
            return TypedResults.Problem(detail: "A valid e-mail address is required.", statusCode: StatusCodes.Status400BadRequest);
        }

        var smtp = options.Value.Smtp;
        if (!smtp.Enabled)
        {
            return TypedResults.Problem(detail: "Mail is off: set Coffer:Smtp:Host and Coffer:Smtp:From, then restart the server.", statusCode: StatusCodes.Status409Conflict);
        }

        if (await MailSender.SendTestAsync(smtp, to, PublicUrl.Origin(http), ct) is { } error)
        {
            return TypedResults.Problem(detail: error, title: "The mail server did not take the test message", statusCode: StatusCodes.Status502BadGateway);
        }

        return TypedResults.Ok(new AdminMailTestResult(to));
    }
}

public sealed record AdminMailTestRequest(string? Email);

/// <summary>The mail server took the test message for <see cref="To"/>.</summary>
public sealed record AdminMailTestResult(string To);

/// <summary>
/// Outgoing mail as the admin sees it: <see cref="Enabled"/> (a <c>Coffer:Smtp:Host</c> is set), the server and
/// sender (never the password), <see cref="Queued"/> messages waiting (first tries and retries), <see cref="Failed"/>
/// messages given up, <see cref="LastError"/> of a message still being retried, and the newest given-up messages.
/// </summary>
public sealed record AdminMailModel(
    bool Enabled, string? Host, int? Port, string? Security, string? From, int Queued, int Failed, string? LastError, List<AdminMailFailure> Failures);

/// <summary>A given-up message: recipient, kind (template name), when queued and given up, attempts, the mail server's last answer.</summary>
public sealed record AdminMailFailure(Guid Id, string To, string Template, DateTime CreationDate, DateTime FailedDate, int Attempts, string? LastError);
