using System.Globalization;
using Coffer.Server.Accounts;
using Coffer.Server.Mail;

namespace Coffer.Server.Emergency;

/// <summary>
/// The mails of emergency access (<c>bitwarden-sharing-features.md</c> §4.5–§4.7; upstream <c>HandlebarsMailService</c>
/// <c>SendEmergencyAccess…</c>): each state change tells the other party, since neither server sends hub
/// notifications for it (§4.9). Templates <c>Mail/Templates/emergency-*.txt|html</c>; values are names, the kind of
/// access and days, never a key or vault content. Queued with the change (<see cref="Mailer"/>): nothing is sent for a
/// change that rolled back, and nothing at all without <c>Coffer:Smtp</c>.
/// </summary>
public static class EmergencyAccessMail
{
    /// <summary>How the mails name a person: the account name, else the e-mail address (upstream <c>NameOrEmail</c>).</summary>
    public static string NameOf(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return string.IsNullOrWhiteSpace(user.Name) ? user.Email : user.Name;
    }

    /// <summary>To the invited address: who invites, for what, and the link with its token (<see cref="EmergencyAccessInvitations.Link"/>).</summary>
    public static void Invite(Mailer mailer, EmergencyAccessGrant grant, User grantor, string link, int hours) =>
        Queue(mailer, grant.Email, "emergency-invite", grant, grantor: grantor, extra: new() { ["link"] = link, ["hours"] = Number(hours) });

    /// <summary>To the grantor: the invitation was accepted; confirm the contact after checking the fingerprint phrase.</summary>
    public static void Accepted(Mailer mailer, EmergencyAccessGrant grant, User grantor, User grantee) =>
        Queue(mailer, grantor.Email, "emergency-accepted", grant, grantor, grantee);

    /// <summary>To the grantee: the grantor confirmed them as an emergency contact.</summary>
    public static void Confirmed(Mailer mailer, EmergencyAccessGrant grant, User grantor, User grantee) =>
        Queue(mailer, grantee.Email, "emergency-confirmed", grant, grantor, grantee);

    /// <summary>To the grantor: the grantee asked for access; approved automatically after the wait unless rejected.</summary>
    public static void Initiated(Mailer mailer, EmergencyAccessGrant grant, User grantor, User grantee) =>
        Queue(mailer, grantor.Email, "emergency-initiated", grant, grantor, grantee);

    /// <summary>To the grantee: access approved, by the grantor or after the wait.</summary>
    public static void Approved(Mailer mailer, EmergencyAccessGrant grant, User grantor, User grantee) =>
        Queue(mailer, grantee.Email, "emergency-approved", grant, grantor, grantee);

    /// <summary>To the grantee: the grantor rejected the request.</summary>
    public static void Rejected(Mailer mailer, EmergencyAccessGrant grant, User grantor, User grantee) =>
        Queue(mailer, grantee.Email, "emergency-rejected", grant, grantor, grantee);

    /// <summary>To the grantor, in the last day of the wait: reject now or access is granted.</summary>
    public static void Reminder(Mailer mailer, EmergencyAccessGrant grant, User grantor, User grantee, DateTime approvalDate) =>
        Queue(mailer, grantor.Email, "emergency-reminder", grant, grantor, grantee,
            new() { ["approval_date"] = approvalDate.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) });

    /// <summary>To the grantor: the wait passed without a rejection, so access was granted.</summary>
    public static void TimedOut(Mailer mailer, EmergencyAccessGrant grant, User grantor, User grantee) =>
        Queue(mailer, grantor.Email, "emergency-timed-out", grant, grantor, grantee);

    private static void Queue(Mailer mailer, string to, string template, EmergencyAccessGrant grant, User grantor, User? grantee = null,
        Dictionary<string, string?>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(mailer);
        var values = extra ?? [];
        values["grantor_name"] = NameOf(grantor);
        values["grantee_name"] = grantee is null ? grant.Email : NameOf(grantee);
        values["access"] = grant.Type == EmergencyAccessType.Takeover ? "take over the account" : "view the vault";
        values["wait_days"] = Number(grant.WaitTimeDays);
        mailer.Queue(to, template, values);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
