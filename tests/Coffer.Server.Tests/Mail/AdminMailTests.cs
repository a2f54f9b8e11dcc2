using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Mail;

/// <summary><c>/admin/api/mail</c> and <c>/admin/api/mail/test</c> against a real SMTP server, and without mail.</summary>
public sealed class AdminMailTests(MailServer server) : IClassFixture<MailServer>
{
    private readonly CofferFactory factory = server.Factory;
    private readonly MailSink sink = server.Sink;

    [Fact]
    public async Task TestMessage_IsSentNow_AndAFailureAnswers502WithTheServersReply()
    {
        var admin = await factory.CreateAdminAsync();
        var to = Fake.Email();

        using (var sent = await admin.Client.PostJsonAsync("/admin/api/mail/test", new JsonObject { ["email"] = to }))
        {
            Assert.Equal(to, (await sent.ExpectObjectAsync()).RequireString("to"));
        }

        // Sent directly: in the sink already when the answer came, not through the outbox.
        var mail = Assert.Single(sink.To(to));
        Assert.Equal("Coffer test message", mail.Subject);
        Assert.Contains("https://localhost", mail.Text, StringComparison.Ordinal);

        sink.Reject();
        try
        {
            using var failed = await admin.Client.PostJsonAsync("/admin/api/mail/test", new JsonObject { ["email"] = to });
            var problem = await failed.ExpectProblemAsync(HttpStatusCode.BadGateway);
            Assert.StartsWith("The mail server answered 550", (string?)problem["detail"], StringComparison.Ordinal);
        }
        finally
        {
            sink.Reject(on: false);
        }
    }

    [Fact]
    public async Task Status_ShowsTheServerAndCountsQueuedAndGivenUpMail_WithoutThePassword()
    {
        var admin = await factory.CreateAdminAsync();
        var anonymous = factory.CreateClient();
        var rejected = await MailTestKit.RegisterWithHintAsync(anonymous);
        sink.Reject();
        try
        {
            await MailTestKit.AskHintAsync(anonymous, rejected.Email);
            await MailTestKit.WaitForOutboxAsync(factory, rejected.Email, m => m.FailedDate is not null);
        }
        finally
        {
            sink.Reject(on: false);
        }

        using var response = await admin.Client.GetAsync("/admin/api/mail");
        var status = await response.ExpectObjectAsync();
        Assert.True((bool?)status["enabled"]);
        Assert.Equal("127.0.0.1", (string?)status["host"]);
        Assert.Equal(sink.Port, (int?)status["port"]);
        Assert.Equal("None", (string?)status["security"]);
        Assert.True((int?)status["failed"] >= 1);
        Assert.NotNull((int?)status["queued"]);
        var failure = status.RequireArray("failures").OfType<JsonObject>().Single(f => (string?)f["to"] == rejected.Email);
        Assert.Equal("password-hint", (string?)failure["template"]);
        Assert.Contains("550", (string?)failure["lastError"], StringComparison.Ordinal);
        Assert.Null(status["password"]);
        Assert.Null(status["username"]);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"email":""}""")]
    [InlineData("""{"email":"nobody"}""")]
    [InlineData("""{"email":["a@b.c"]}""")]
    [InlineData("{\"email\":\"a@b.c")]
    public async Task TestMessage_WithABadBody_Returns400Problem(string body)
    {
        var admin = await factory.CreateAdminAsync();
        using var response = await admin.Client.SendRawAsync(HttpMethod.Post, "/admin/api/mail/test", body);
        await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MailRoutes_ForANonAdmin_Return403_AndWithoutAToken401()
    {
        var user = await TestAccount.CreateAsync(factory);
        using var forbidden = await user.Client.PostJsonAsync("/admin/api/mail/test", new JsonObject { ["email"] = user.Email });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var status = await user.Client.GetAsync("/admin/api/mail");
        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
        using var anonymous = await factory.CreateClient().GetAsync("/admin/api/mail");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Empty(sink.To(user.Email));
    }
}

/// <summary>Without <c>Coffer:Smtp:Host</c>: the admin sees mail off, the test and the hint say why nothing can be sent.</summary>
public sealed class MailOffTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task AdminMail_WithoutSmtp_ShowsOffAndTheTestAnswers409()
    {
        var admin = await factory.CreateAdminAsync();
        using (var response = await admin.Client.GetAsync("/admin/api/mail"))
        {
            var status = await response.ExpectObjectAsync();
            Assert.False((bool?)status["enabled"]);
            Assert.Null((string?)status["host"]);
            Assert.Equal(0, (int?)status["queued"]);
        }

        using var test = await admin.Client.PostJsonAsync("/admin/api/mail/test", new JsonObject { ["email"] = admin.Email });
        var problem = await test.ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.StartsWith("Mail is off", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordHint_WithoutSmtp_Returns400ForEveryAddress()
    {
        var account = await TestAccount.CreateAsync(factory);
        foreach (var email in new[] { account.Email, Fake.Email() })
        {
            using var response = await factory.CreateClient().PostJsonAsync(MailTestKit.PasswordHintUrl, new JsonObject { ["email"] = email });
            var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Contains("sends no e-mail", (string?)error["message"], StringComparison.Ordinal);
        }
    }
}
