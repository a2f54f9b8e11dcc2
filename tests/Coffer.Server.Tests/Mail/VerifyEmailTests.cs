using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Mail;

/// <summary>A server with mail and <c>Coffer:Registration:VerifyEmail</c> on.</summary>
public sealed class VerifyingMailServer : MailServer
{
    protected override void Configure(CofferFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        factory.Settings["Coffer:Registration:VerifyEmail"] = "true";
        factory.Settings["Coffer:Registration:VerificationHours"] = "2";
    }
}

/// <summary>
/// Sign-up with e-mail verification (protocol §5.1): the token only travels in the mailed link, register/finish needs
/// it, the answer is the same for a taken address, and the legacy single request is refused.
/// </summary>
public sealed class VerifyEmailTests(VerifyingMailServer server) : IClassFixture<VerifyingMailServer>
{
    private readonly CofferFactory factory = server.Factory;
    private readonly MailSink sink = server.Sink;

    [Fact]
    public async Task SendVerificationEmail_MailsAFinishSignupLink_WhoseTokenAloneFinishesSignUp()
    {
        var anonymous = factory.CreateClient();
        var credentials = Credentials.New();

        using (var start = await anonymous.PostJsonAsync(IdentityApi.SendVerificationEmail, new JsonObject { ["email"] = credentials.Email, ["name"] = "Ann" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, start.StatusCode);
            Assert.Empty(await start.Content.ReadAsByteArrayAsync());
        }

        var mail = await sink.WaitForAsync(credentials.Email);
        Assert.Equal("Finish creating your Coffer account", mail.Subject);
        var link = Assert.Single(mail.Links);
        Assert.StartsWith("https://localhost/#/finish-signup?", link, StringComparison.Ordinal);
        var query = MailUseTests.FragmentQuery(link, "finish-signup");
        Assert.Equal(credentials.Email, query["email"]);
        Assert.Equal("true", query["fromEmail"]);
        Assert.Contains("2 hours", mail.Text, StringComparison.Ordinal);

        foreach (var wrong in new string?[] { null, "", "not-a-token", query["token"][..^2] })
        {
            using var refused = await anonymous.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(credentials, wrong));
            await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        // The token is bound to its address.
        using (var other = await anonymous.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(Credentials.New(), query["token"])))
        {
            await other.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        using var finish = await anonymous.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(credentials, query["token"]));
        await finish.ExpectStatusAsync(HttpStatusCode.OK);
        await TestAccount.LoginAsync(factory, credentials);
    }

    [Fact]
    public async Task SendVerificationEmail_ForAnAddressWithAnAccount_Answers204AndMailsNothing()
    {
        var anonymous = factory.CreateClient();
        var first = Credentials.New();
        using (var start = await anonymous.PostJsonAsync(IdentityApi.SendVerificationEmail, new JsonObject { ["email"] = first.Email }))
        {
            Assert.Equal(HttpStatusCode.NoContent, start.StatusCode);
        }

        var token = MailUseTests.FragmentQuery(Assert.Single((await sink.WaitForAsync(first.Email)).Links), "finish-signup")["token"];
        using (var finish = await anonymous.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(first, token)))
        {
            await finish.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using (var again = await anonymous.PostJsonAsync(IdentityApi.SendVerificationEmail, new JsonObject { ["email"] = first.Email }))
        {
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        }

        var marker = Fake.Email();
        using (var later = await anonymous.PostJsonAsync(IdentityApi.SendVerificationEmail, new JsonObject { ["email"] = marker }))
        {
            Assert.Equal(HttpStatusCode.NoContent, later.StatusCode);
        }

        await sink.WaitForAsync(marker);
        Assert.Single(sink.To(first.Email));
    }

    [Fact]
    public async Task LegacyRegister_WithVerificationOn_IsRefused()
    {
        var credentials = Credentials.New();
        using var response = await factory.CreateClient().PostJsonAsync(IdentityApi.LegacyRegisterUrl, Payloads.LegacyRegister(credentials));
        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("verifies e-mail addresses", (string?)error["message"], StringComparison.Ordinal);
        Assert.Null(await AccountChanges.TryLoginAsync(factory, credentials.Email, credentials.MasterPasswordHash));
    }

    [Theory]
    [InlineData("""{"email":"not-an-address"}""")]
    [InlineData("""{}""")]
    [InlineData("""{"email":"a@b.c","name":"0123456789012345678901234567890123456789012345678901"}""")]
    public async Task SendVerificationEmail_WithABadBody_Returns400AndMailsNothing(string body)
    {
        using var response = await factory.CreateClient().SendRawAsync(HttpMethod.Post, IdentityApi.SendVerificationEmail, body);
        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Empty(sink.To("a@b.c"));
    }
}
