using Coffer.Server.Data;
using Coffer.Server.Mail;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Emergency;

/// <summary>
/// The two emergency access jobs of every background run (<c>bitwarden-sharing-features.md</c> §4.6; upstream
/// <c>EmergencyAccessTimeoutJob</c> and <c>EmergencyAccessNotificationJob</c>), over the grants in RecoveryInitiated:
/// <list type="bullet">
/// <item><b>automatic approval</b>: once <c>RecoveryInitiatedDate + WaitTimeDays ≤ now</c>, RecoveryApproved, with a
/// mail to each party and both revision dates moved;</item>
/// <item><b>reminder</b>: in the last day of the wait, at most once a day (<c>LastNotificationDate</c>), a mail to the
/// grantor that access will be granted unless rejected.</item>
/// </list>
/// Each grant is its own commit, and each update is conditional on the status still being RecoveryInitiated (Status
/// is a concurrency token: <c>UPDATE … WHERE Id = @id AND Status = 3</c>), so a grantor's reject racing the job wins or
/// loses cleanly and the loser changes and mails nothing. Only the changed columns are written: the approval does not
/// overwrite a reminder's <c>LastNotificationDate</c>, nor the reminder a status.
/// </summary>
public static partial class EmergencyAccessJobs
{
    /// <summary>Runs both jobs at <paramref name="now"/>; returns how many grants were approved and how many reminders were queued.</summary>
    public static async Task<(int Approved, int Reminded)> RunAsync(IServiceProvider services, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        List<EmergencyAccessGrant> waiting;
        await using (var scope = services.CreateAsyncScope())
        {
            // Few grants wait at any time; the dates are compared here rather than in SQL, the same on both databases.
            waiting = await scope.ServiceProvider.GetRequiredService<CofferDb>().EmergencyAccessGrants.AsNoTracking()
                .Where(g => g.Status == EmergencyAccessStatus.RecoveryInitiated && g.GranteeId != null && g.RecoveryInitiatedDate != null)
                .OrderBy(g => g.RecoveryInitiatedDate).ToListAsync(ct);
        }

        var approved = 0;
        var reminded = 0;
        foreach (var candidate in waiting)
        {
            var approval = candidate.RecoveryInitiatedDate!.Value.AddDays(candidate.WaitTimeDays);
            if (approval <= now)
            {
                approved += await ChangeAsync(services, candidate.Id, Approve, ct) ? 1 : 0;
            }
            else if (approval.AddDays(-1) <= now && (candidate.LastNotificationDate is not { } last || last.AddDays(1) <= now))
            {
                reminded += await ChangeAsync(services, candidate.Id, (grant, grantor, grantee, mailer, changes) => Remind(grant, grantor, grantee, mailer, changes, approval), ct) ? 1 : 0;
            }
        }

        if (approved + reminded > 0)
        {
            LogRun(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmergencyAccessJobs)), approved, reminded);
        }

        return (approved, reminded);
    }

    private static Guid[] Approve(EmergencyAccessGrant grant, Accounts.User grantor, Accounts.User grantee, Mailer mailer, Changes changes)
    {
        grant.Status = EmergencyAccessStatus.RecoveryApproved;
        grant.RevisionDate = changes.Now;
        EmergencyAccessMail.Approved(mailer, grant, grantor, grantee);
        EmergencyAccessMail.TimedOut(mailer, grant, grantor, grantee);
        return EmergencyAccessEndpoints.Parties(grant);
    }

    private static Guid[] Remind(EmergencyAccessGrant grant, Accounts.User grantor, Accounts.User grantee, Mailer mailer, Changes changes, DateTime approval)
    {
        grant.LastNotificationDate = changes.Now;
        EmergencyAccessMail.Reminder(mailer, grant, grantor, grantee, approval);
        return [];
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the grant if it is still RecoveryInitiated, in a scope and commit of its own;
    /// false when it is not (rejected, deleted) or a concurrent change got there first.
    /// </summary>
    private static async Task<bool> ChangeAsync(IServiceProvider services, Guid id,
        Func<EmergencyAccessGrant, Accounts.User, Accounts.User, Mailer, Changes, Guid[]> change, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var changes = scope.ServiceProvider.GetRequiredService<Changes>();
        var grant = await db.EmergencyAccessGrants.SingleOrDefaultAsync(g => g.Id == id && g.Status == EmergencyAccessStatus.RecoveryInitiated, ct);
        if (grant is null)
        {
            return false;
        }

        var users = await db.Users.AsNoTracking().Where(u => u.Id == grant.GrantorId || u.Id == grant.GranteeId).ToListAsync(ct);
        var revised = change(grant, users.Single(u => u.Id == grant.GrantorId), users.Single(u => u.Id == grant.GranteeId),
            scope.ServiceProvider.GetRequiredService<Mailer>(), changes);
        try
        {
            await changes.CommitAsync(revised, ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Emergency access: {Approved} requests approved after their wait, {Reminded} reminders mailed.")]
    private static partial void LogRun(ILogger logger, int approved, int reminded);
}
