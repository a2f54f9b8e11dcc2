using System.Text.Json.Nodes;
using System.Web;
using Coffer.Server.Background;
using Coffer.Server.Emergency;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Emergency;

/// <summary>
/// Emergency access with mail, against a real SMTP server (<c>bitwarden-sharing-features.md</c> §4.6, §4.7): the
/// invitation link and its token (E-6), a mail to the other party on every state change, and the background run's
/// automatic approval after the wait (and not before) with one reminder in the last day, on the server's test clock.
/// </summary>
public sealed class EmergencyMailTests(MailServer server) : IClassFixture<MailServer>
{
    private readonly CofferFactory factory = server.Factory;
    private readonly MailSink sink = server.Sink;

    [Fact]
    public async Task Invite_WithMail_StaysInvited_AndTheMailedLinkAcceptsForTheInvitedAccount()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);

        var id = await grantor.InviteAsync(grantee.Email, type: 1, waitTimeDays: 5);

        Assert.Equal(EmergencyAccessStatus.Invited, await grantor.StatusAsync(id));
        var mail = await sink.WaitForAsync(grantee.Email);
        Assert.Contains("emergency contact", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("take over the account", mail.Text, StringComparison.Ordinal);
        Assert.Contains("5 days", mail.Text, StringComparison.Ordinal);
        var link = new Uri(Assert.Single(mail.Links));
        Assert.Equal("https://localhost/", link.GetLeftPart(UriPartial.Path));
        Assert.StartsWith("#/accept-emergency?", link.Fragment, StringComparison.Ordinal);
        var query = HttpUtility.ParseQueryString(link.Fragment[link.Fragment.IndexOf('?', StringComparison.Ordinal)..]);
        Assert.Equal(id, query["id"]);
        Assert.Equal(grantee.Email, query["email"]);
        Assert.False(string.IsNullOrEmpty(query["name"]));

        await grantee.ExpectPostAsync(id, "accept", new JsonObject { ["token"] = query["token"] });

        Assert.Equal(EmergencyAccessStatus.Accepted, await grantor.StatusAsync(id));
        Assert.Equal(grantee.UserId, (await grantor.GrantAsync(id)).RequireString("granteeId"));
        var accepted = await sink.WaitForAsync(grantor.Email, m => m.Subject.Contains("accepted", StringComparison.Ordinal));
        Assert.Contains("fingerprint phrase", accepted.Text, StringComparison.Ordinal);
        // The link opened twice: the same account's second accept changes nothing and answers 200.
        await grantee.ExpectPostAsync(id, "accept", new JsonObject { ["token"] = query["token"] });
        Assert.Single(sink.To(grantor.Email));
        await grantor.ConfirmAsync(id);
        await grantee.PostAsync(id, "accept", new JsonObject { ["token"] = query["token"] }).ExpectRefusedAsync("Invitation already accepted.");
    }

    [Fact]
    public async Task Invite_OfAnUnknownAddress_IsMailed_AndAcceptedAfterSigningUp()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var credentials = Credentials.New();
        var id = await grantor.InviteAsync(credentials.Email);
        var token = await TokenAsync(credentials.Email, id);

        await IdentityApi.RegisterAsync(factory.Anonymous(), credentials);
        var grantee = await TestAccount.LoginAsync(factory, credentials);
        await grantee.ExpectPostAsync(id, "accept", new JsonObject { ["token"] = token });

        Assert.Equal(EmergencyAccessStatus.Accepted, await grantor.StatusAsync(id));
        Assert.Equal(id, Assert.Single(await grantee.GrantedAsync())!.RequireString("id"));
    }

    [Fact]
    public async Task Accept_WithTheTokenOfAnotherGrantOrAnotherAccount_OrATamperedOne_Returns400()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var otherGrantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var third = await TestAccount.CreateAsync(factory);
        var id = await grantor.InviteAsync(grantee.Email);
        var token = await TokenAsync(grantee.Email, id);
        var otherId = await otherGrantor.InviteAsync(grantee.Email);

        // E-6: another grant id, another account's e-mail, a changed token, none.
        await grantee.PostAsync(otherId, "accept", new JsonObject { ["token"] = token }).ExpectRefusedAsync("Invalid token.");
        await third.PostAsync(id, "accept", new JsonObject { ["token"] = token }).ExpectRefusedAsync("Invalid token.");
        await grantee.PostAsync(id, "accept", new JsonObject { ["token"] = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1] })
            .ExpectRefusedAsync("Invalid token.");
        await grantee.PostAsync(id, "accept", new JsonObject()).ExpectRefusedAsync("Invalid token.");
        await grantee.PostAsync(Guid.NewGuid().ToString(), "accept", new JsonObject { ["token"] = token }).ExpectRefusedAsync();

        Assert.Equal(EmergencyAccessStatus.Invited, await grantor.StatusAsync(id));
        Assert.Equal(EmergencyAccessStatus.Invited, await otherGrantor.StatusAsync(otherId));
    }

    [Fact]
    public async Task Accept_AfterTheInvitationExpired_Returns400_AndReinviteMailsAFreshLink()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await grantor.InviteAsync(grantee.Email);
        var token = await TokenAsync(grantee.Email, id);

        factory.Clock.Advance(TimeSpan.FromHours(121));
        grantor = await TestAccount.LoginAsync(factory, grantor.Credentials);
        grantee = await TestAccount.LoginAsync(factory, grantee.Credentials);

        await grantee.PostAsync(id, "accept", new JsonObject { ["token"] = token }).ExpectRefusedAsync("Invalid token.");
        await grantor.ExpectPostAsync(id, "reinvite");
        var fresh = await TokenAsync(grantee.Email, id, except: token);
        await grantee.ExpectPostAsync(id, "accept", new JsonObject { ["token"] = fresh });
        Assert.Equal(EmergencyAccessStatus.Accepted, await grantor.StatusAsync(id));
        await grantor.PostAsync(id, "reinvite").ExpectRefusedAsync();
    }

    [Fact]
    public async Task EveryStateChange_MailsTheOtherParty_AndNoMailCarriesTheKey()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await grantor.InviteAsync(grantee.Email);
        await grantee.ExpectPostAsync(id, "accept", new JsonObject { ["token"] = await TokenAsync(grantee.Email, id) });
        var key = EmergencyApi.WrappedKey();
        await sink.WaitForAsync(grantor.Email, m => m.Subject.Contains("accepted", StringComparison.Ordinal));

        await grantor.ExpectPostAsync(id, "confirm", new JsonObject { ["key"] = key });
        await sink.WaitForAsync(grantee.Email, m => m.Subject.StartsWith("You are now an emergency contact", StringComparison.Ordinal));
        await grantee.ExpectPostAsync(id, "initiate");
        var initiated = await sink.WaitForAsync(grantor.Email, m => m.Subject.Contains("asked for emergency access", StringComparison.Ordinal));
        Assert.Contains("7 days", initiated.Text, StringComparison.Ordinal);
        await grantor.ExpectPostAsync(id, "approve");
        await sink.WaitForAsync(grantee.Email, m => m.Subject.Contains("is granted", StringComparison.Ordinal));
        await grantor.ExpectPostAsync(id, "reject");
        await sink.WaitForAsync(grantee.Email, m => m.Subject.Contains("rejected", StringComparison.Ordinal));

        var all = sink.To(grantor.Email).Concat(sink.To(grantee.Email)).ToList();
        Assert.Equal(6, all.Count);
        Assert.All(all, m => Assert.DoesNotContain(key[2..], m.Text + m.Html, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheWait_PassingApprovesTheRequest_NotBefore_AfterOneReminderInTheLastDay()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await grantor.InviteAsync(grantee.Email, waitTimeDays: 2);
        await grantee.ExpectPostAsync(id, "accept", new JsonObject { ["token"] = await TokenAsync(grantee.Email, id) });
        await grantor.ConfirmAsync(id);
        await grantee.ExpectPostAsync(id, "initiate");
        await sink.WaitForAsync(grantor.Email, m => m.Subject.Contains("asked for emergency access", StringComparison.Ordinal));

        // Less than a day in: neither reminder nor approval.
        await RunBackgroundAsync(TimeSpan.FromHours(20));
        Assert.Equal(EmergencyAccessStatus.RecoveryInitiated, await StatusAsync(grantor, id));
        Assert.Empty(Reminders(grantor));

        // The last day: one reminder, and only one however often the run comes.
        await RunBackgroundAsync(TimeSpan.FromHours(5));
        await sink.WaitForAsync(grantor.Email, m => m.Subject.StartsWith("Reminder:", StringComparison.Ordinal));
        await RunBackgroundAsync(TimeSpan.FromHours(1));
        await RunBackgroundAsync(TimeSpan.FromHours(20));
        Assert.Equal(EmergencyAccessStatus.RecoveryInitiated, await StatusAsync(grantor, id));
        grantee = await TestAccount.LoginAsync(factory, grantee.Credentials);
        await grantee.PostAsync(id, "view").ExpectRefusedAsync();

        // Past RecoveryInitiatedDate + 2 days: approved, both told.
        await RunBackgroundAsync(TimeSpan.FromHours(3));
        Assert.Equal(EmergencyAccessStatus.RecoveryApproved, await StatusAsync(grantor, id));
        await sink.WaitForAsync(grantee.Email, m => m.Subject.Contains("is granted", StringComparison.Ordinal));
        await sink.WaitForAsync(grantor.Email, m => m.Subject.Contains("now has emergency access", StringComparison.Ordinal));
        Assert.Single(Reminders(grantor));
        grantee = await TestAccount.LoginAsync(factory, grantee.Credentials);
        await grantee.ExpectPostAsync(id, "view");
    }

    [Fact]
    public async Task ARejectedRequest_IsNeverApprovedByTheWait()
    {
        var grantor = await TestAccount.CreateAsync(factory);
        var grantee = await TestAccount.CreateAsync(factory);
        var id = await grantor.InviteAsync(grantee.Email, waitTimeDays: 1);
        await grantee.ExpectPostAsync(id, "accept", new JsonObject { ["token"] = await TokenAsync(grantee.Email, id) });
        await grantor.ConfirmAsync(id);
        await grantee.ExpectPostAsync(id, "initiate");
        await grantor.ExpectPostAsync(id, "reject");

        await RunBackgroundAsync(TimeSpan.FromDays(2));

        Assert.Equal(EmergencyAccessStatus.Confirmed, await StatusAsync(grantor, id));
        Assert.Empty(Reminders(grantor));
    }

    private List<SunkMail> Reminders(TestAccount grantor) =>
        [.. sink.To(grantor.Email).Where(m => m.Subject.StartsWith("Reminder:", StringComparison.Ordinal))];

    /// <summary>The grant's status, logging the grantor in again (the test clock may have outrun its access token).</summary>
    private async Task<EmergencyAccessStatus> StatusAsync(TestAccount grantor, string id) =>
        await (await TestAccount.LoginAsync(factory, grantor.Credentials)).StatusAsync(id);

    /// <summary>The token of the newest invitation link mailed to <paramref name="email"/> for grant <paramref name="id"/>.</summary>
    private async Task<string> TokenAsync(string email, string id, string? except = null)
    {
        string? Token(SunkMail mail)
        {
            var link = mail.Links.FirstOrDefault(l => l.Contains("#/accept-emergency?", StringComparison.Ordinal));
            var query = link is null ? null : HttpUtility.ParseQueryString(link[link.IndexOf('?', StringComparison.Ordinal)..]);
            return query?["id"] == id && query["token"] != except ? query["token"] : null;
        }

        return Token(await sink.WaitForAsync(email, m => Token(m) is not null))!;
    }

    /// <summary>Moves the server's clock on and runs the background jobs once, as the background service would.</summary>
    private async Task RunBackgroundAsync(TimeSpan advance)
    {
        var runs = factory.Services.GetRequiredService<BackgroundRuns>();
        await runs.FirstRun;
        factory.Clock.Advance(advance);
        Assert.NotNull(await runs.RunAsync(RunKind.Scheduled, default));
    }
}
