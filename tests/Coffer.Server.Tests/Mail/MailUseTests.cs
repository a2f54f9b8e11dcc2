using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Organizations;
using Microsoft.AspNetCore.WebUtilities;

namespace Coffer.Server.Tests.Mail;

/// <summary>
/// What Coffer mails, read back from a real SMTP server (MailSink), with every link followed: organization and admin
/// invitations, the e-mail change token, the new-device alert and the master password hint. No mail carries a
/// master password hash, a key or vault content.
/// </summary>
public sealed class MailUseTests(MailServer server) : IClassFixture<MailServer>
{
    private readonly CofferFactory factory = server.Factory;
    private readonly MailSink sink = server.Sink;

    /// <summary>The query of a web vault link's fragment (<c>…/#/route?a=b</c>).</summary>
    internal static Dictionary<string, string> FragmentQuery(string link, string route)
    {
        var fragment = new Uri(link).Fragment;
        Assert.StartsWith("#/" + route, fragment, StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(fragment[fragment.IndexOf('?', StringComparison.Ordinal)..]).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
    }

    internal static void AssertNoSecret(SunkMail mail, Credentials account)
    {
        foreach (var secret in new[] { account.MasterPasswordHash, account.UserKey, account.PrivateKey })
        {
            Assert.DoesNotContain(secret, mail.Text + mail.Html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OrganizationInvite_OfAnExistingAccount_StaysInvitedUntilTheMailedLinkIsAccepted()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var invitee = await TestAccount.CreateAsync(factory);

        var invitation = await organization.InviteAsync(invitee.Email);

        Assert.Equal(0, (int?)invitation["status"]);
        var mail = await sink.WaitForAsync(invitee.Email, m => m.Subject == "Join Acme on Coffer");
        Assert.Contains(organization.Owner.Email, mail.Text, StringComparison.Ordinal);
        AssertNoSecret(mail, invitee.Credentials);
        var link = Assert.Single(mail.Links);
        Assert.Equal((string?)invitation["invitationUrl"], link);
        var query = FragmentQuery(link, "accept-organization/");
        Assert.Equal(invitee.Email, query["email"]);
        Assert.Equal("Acme", query["organizationName"]);
        Assert.Equal("false", query["initOrganization"]);
        Assert.Equal("true", query["orgUserHasExistingUser"]);
        Assert.Equal(organization.Id.ToString(), query["organizationId"]);

        // Invited: nothing of the organization yet, not even on the invitee's profile as a member.
        Assert.Equal(0, await MemberStatusAsync(organization, query["organizationUserId"]));

        using var accept = await invitee.Client.PostJsonAsync(
            $"/api/organizations/{query["organizationId"]}/users/{query["organizationUserId"]}/accept", new JsonObject { ["token"] = query["token"] });
        await accept.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal(1, await MemberStatusAsync(organization, query["organizationUserId"]));
    }

    [Fact]
    public async Task OrganizationInvite_OfAnUnknownAddress_MailsALinkToSignUp_AndReinviteMailsAgain()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var email = Fake.Email();

        var invitation = await organization.InviteAsync(email);
        var first = await sink.WaitForAsync(email);
        Assert.Equal("false", FragmentQuery(Assert.Single(first.Links), "accept-organization/")["orgUserHasExistingUser"]);

        using var again = await organization.Owner.Client.PostJsonAsync(organization.Url($"/users/{invitation.RequireString("id")}/reinvite"), null);
        await again.ExpectStatusAsync(HttpStatusCode.OK);
        using var bulk = await organization.Owner.Client.PostJsonAsync(organization.Url("/users/reinvite"), Payloads.Ids(invitation.RequireString("id")));
        await bulk.ExpectStatusAsync(HttpStatusCode.OK);
        await WaitForCountAsync(email, 3);
    }

    [Fact]
    public async Task AdminInvitation_MailsASignUpLinkWithTheToken_ThatRegistersOnAnInviteOnlyServer()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        try
        {
            var email = Fake.Email();
            await admin.InviteAsync(email);
            var mail = await sink.WaitForAsync(email, m => m.Subject == "You are invited to Coffer");
            var query = FragmentQuery(Assert.Single(mail.Links), "register");
            Assert.Equal(email, query["email"]);

            var credentials = Credentials.New(email: email);
            var body = Payloads.RegisterFinish(credentials, null);
            body["inviteToken"] = query["invite"];
            using var finish = await factory.CreateClient().PostJsonAsync(IdentityApi.RegisterFinishUrl, body);
            await finish.ExpectStatusAsync(HttpStatusCode.OK);
            await TestAccount.LoginAsync(factory, credentials);
        }
        finally
        {
            await admin.SetRegistrationModeAsync("open");
        }
    }

    [Fact]
    public async Task EmailChange_MailsTheTokenToTheNewAddress_AndStepTwoNeedsIt()
    {
        var account = await TestAccount.CreateAsync(factory);
        var newEmail = Fake.Email();
        var newHash = Fake.MasterPasswordHash();
        using (var step1 = await account.Client.PostJsonAsync(AccountChanges.EmailTokenUrl, new JsonObject
        {
            ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
            ["newEmail"] = newEmail,
        }))
        {
            await step1.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var mail = await sink.WaitForAsync(newEmail, m => m.Subject == "Confirm your new e-mail address");
        Assert.DoesNotContain(sink.To(account.Email), m => m.Subject == mail.Subject);
        AssertNoSecret(mail, account.Credentials);
        var token = System.Text.RegularExpressions.Regex.Match(mail.Text, @"^\s+([A-Z2-9]{13})\s*$", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;
        Assert.Equal(13, token.Length);

        foreach (var wrong in new string?[] { null, "", "AAAAAAAAAAAAA", token[..12], token + "A" })
        {
            using var refused = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, Step2(account, newEmail, newHash, wrong));
            var error = await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Contains("token", (string?)error["message"], StringComparison.Ordinal);
        }

        using var done = await account.Client.PostJsonAsync(AccountChanges.EmailUrl, Step2(account, newEmail, newHash, " " + token.ToLowerInvariant() + " "));
        await done.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, newEmail, newHash));
    }

    [Fact]
    public async Task NewDeviceLogin_IsAlerted_ButNeitherTheFirstLoginNorAKnownDevice()
    {
        var account = await TestAccount.CreateAsync(factory);
        var anonymous = factory.CreateClient();
        await IdentityApi.LoginAsync(anonymous, account.Credentials, account.DeviceIdentifier);
        var other = Fake.DeviceIdentifier();
        var elsewhere = factory.ClientFrom(IPAddress.Parse("203.0.113.7"));
        await IdentityApi.LoginAsync(elsewhere, account.Credentials, other);
        await IdentityApi.LoginAsync(elsewhere, account.Credentials, other);

        var mail = await sink.WaitForAsync(account.Email, m => m.Subject == "New login to your Coffer account");
        Assert.Contains("Address: 203.0.113.7", mail.Text, StringComparison.Ordinal);
        AssertNoSecret(mail, account.Credentials);
        // The later logins commit after the alert's; a second alert would be in the sink by the time a fresh one is.
        var marker = await TestAccount.CreateAsync(factory);
        await IdentityApi.LoginAsync(anonymous, marker.Credentials, Fake.DeviceIdentifier());
        await sink.WaitForAsync(marker.Email);
        Assert.Single(sink.To(account.Email));
    }

    [Fact]
    public async Task PasswordHint_IsMailedWhenSet_AndTheAnswerIsTheSameForEveryAddress()
    {
        var anonymous = factory.CreateClient();
        var withHint = await MailTestKit.RegisterWithHintAsync(anonymous, "<b>my cat</b> & more");
        var withoutHint = (await TestAccount.CreateAsync(factory)).Credentials;
        var unknown = Fake.Email();

        var answers = new List<string>();
        foreach (var email in new[] { withHint.Email, withoutHint.Email, unknown })
        {
            using var response = await anonymous.PostJsonAsync(MailTestKit.PasswordHintUrl, new JsonObject { ["email"] = email.ToUpperInvariant() });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Single(answers.Distinct());
        var mail = await sink.WaitForAsync(withHint.Email);
        Assert.Contains("Your hint: <b>my cat</b> & more", mail.Text, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;my cat&lt;/b&gt; &amp; more", mail.Html, StringComparison.Ordinal);
        AssertNoSecret(mail, withHint);

        // Mail for a later request arrives; none came for the account without a hint or the unknown address.
        await MailTestKit.AskHintAsync(anonymous, withHint.Email);
        await WaitForCountAsync(withHint.Email, 2);
        Assert.DoesNotContain(sink.To(withoutHint.Email), m => m.Subject.Contains("hint", StringComparison.Ordinal));
        Assert.Empty(sink.To(unknown));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"email":null}""")]
    [InlineData("""{"email":""}""")]
    [InlineData("""{"email":"not-an-address"}""")]
    [InlineData("""{"email":42}""")]
    [InlineData("""[]""")]
    [InlineData("""{"email":"a@b.c""")]
    public async Task PasswordHint_WithABadBody_Returns400(string body)
    {
        using var response = await factory.CreateClient().SendRawAsync(HttpMethod.Post, MailTestKit.PasswordHintUrl, body);
        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PasswordHint_IsRateLimitedPerAddress()
    {
        await using var limited = new CofferFactory();
        foreach (var (key, value) in sink.Settings)
        {
            limited.Settings[key] = value;
        }

        limited.Settings["Coffer:RateLimits:RegistrationPerAccount:Limit"] = "2";
        var anonymous = limited.CreateClient();
        var email = Fake.Email();
        for (var i = 0; i < 2; i++)
        {
            await MailTestKit.AskHintAsync(anonymous, email);
        }

        using var third = await anonymous.PostJsonAsync(MailTestKit.PasswordHintUrl, new JsonObject { ["email"] = email });
        await third.ExpectBitwardenErrorAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(third.Headers.RetryAfter);
    }

    private static JsonObject Step2(TestAccount account, string newEmail, string newHash, string? token) => new()
    {
        ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
        ["newEmail"] = newEmail,
        ["token"] = token,
        ["newMasterPasswordHash"] = newHash,
        ["key"] = Fake.EncString(),
    };

    private static async Task<int?> MemberStatusAsync(TestOrganization organization, string memberId)
    {
        using var response = await organization.Owner.Client.GetAsync(organization.Url($"/users/{memberId}"));
        return (int?)(await response.ExpectObjectAsync())["status"];
    }

    private async Task WaitForCountAsync(string to, int count)
    {
        for (var i = 0; i < 200 && sink.To(to).Count < count; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(count, sink.To(to).Count);
    }
}
