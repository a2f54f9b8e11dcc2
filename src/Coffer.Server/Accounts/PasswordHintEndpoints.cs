using Coffer.Server.Abuse;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Mail;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Accounts;

/// <summary>
/// <c>POST /api/accounts/password-hint</c> <c>{"email": …}</c> (anonymous; the official clients' "Get master password
/// hint"): mails the account's hint to its own address (template <c>password-hint</c>) when it has one. The answer is
/// the same 200 whether the account exists, has a hint or not, so the route tells nobody which addresses have accounts;
/// it spends the sign-up budget per address and per e-mail (<see cref="RateLimitFamily.Registration"/>), which also
/// bounds how often one mailbox can be sent the hint. Without mail (<see cref="Mailer.Enabled"/> false) it answers 400
/// for every address: there is no way to deliver a hint.
/// </summary>
public static class PasswordHintEndpoints
{
    public static RouteHandlerBuilder MapPasswordHint(this IEndpointRouteBuilder api) =>
        api.MapPost("/accounts/password-hint", SendHint).WithTags("Accounts").RateLimited(RateLimitFamily.Registration)
            .WithSummary("Mail the master password hint to the account's address; the same answer whether or not the account exists");

    private static async Task<IResult> SendHint(PasswordHintRequest request, CofferDb db, Mailer mailer, Changes changes, CancellationToken ct)
    {
        if (RegistrationEndpoints.NormalizeEmail(request.Email) is not { } email)
        {
            return BitwardenErrors.BadRequest("A valid e-mail address is required.", "email");
        }

        if (!mailer.Enabled)
        {
            return BitwardenErrors.BadRequest("This server sends no e-mail, so it cannot send the master password hint.");
        }

        var hint = await db.Users.AsNoTracking().Where(u => u.Email == email && !u.Disabled).Select(u => u.MasterPasswordHint).FirstOrDefaultAsync(ct);
        if (!string.IsNullOrWhiteSpace(hint))
        {
            mailer.Queue(email, "password-hint", new Dictionary<string, string?> { ["hint"] = hint });
            await changes.CommitAsync(ct: ct);
        }

        return Results.Ok();
    }
}

/// <summary>The body of <c>POST /api/accounts/password-hint</c>.</summary>
public sealed record PasswordHintRequest(string? Email);
