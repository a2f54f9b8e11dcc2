using System.Net;
using System.Net.Sockets;
using Coffer.Server.Data;
using Coffer.Server.Mail;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Mail;

/// <summary>
/// The sender against a real SMTP server that misbehaves (MailSink): a temporary refusal (451) delays the mail and
/// loses nothing, a permanent one (550) gives it up with <see cref="OutboxMessage.FailedDate"/>, and the request that
/// queued the mail never waits for the mail server.
/// </summary>
public sealed class DeliveryTests(MailServer server) : IClassFixture<MailServer>
{
    private readonly CofferFactory factory = server.Factory;
    private readonly MailSink sink = server.Sink;

    [Fact]
    public async Task RefusedMail_IsRetriedUntilTheServerTakesIt_AndTheRequestDidNotWait()
    {
        var anonymous = factory.CreateClient();
        var account = await MailTestKit.RegisterWithHintAsync(anonymous, "the blue door");
        sink.Refuse();
        try
        {
            var took = await MailTestKit.AskHintAsync(anonymous, account.Email);
            Assert.True(took < TimeSpan.FromSeconds(3), $"The request took {took}.");

            var waiting = await MailTestKit.WaitForOutboxAsync(factory, account.Email, m => m.Attempts >= 2);
            Assert.Null(waiting.FailedDate);
            Assert.Contains("451", waiting.LastError, StringComparison.Ordinal);
            Assert.Empty(sink.To(account.Email));
        }
        finally
        {
            sink.Refuse(on: false);
        }

        var mail = await sink.WaitForAsync(account.Email, timeout: TimeSpan.FromSeconds(30));
        Assert.Equal("Your master password hint", mail.Subject);
        Assert.Contains("the blue door", mail.Text, StringComparison.Ordinal);
        await MailTestKit.WaitForEmptyOutboxAsync(factory, account.Email);
        Assert.Single(sink.To(account.Email));
    }

    [Fact]
    public async Task RejectedMail_IsGivenUpWithFailedDate_AndIsNeverRetried()
    {
        var anonymous = factory.CreateClient();
        var rejected = await MailTestKit.RegisterWithHintAsync(anonymous);
        sink.Reject();
        OutboxMessage given;
        try
        {
            await MailTestKit.AskHintAsync(anonymous, rejected.Email);
            given = await MailTestKit.WaitForOutboxAsync(factory, rejected.Email, m => m.FailedDate is not null);
        }
        finally
        {
            sink.Reject(on: false);
        }

        Assert.Equal(1, given.Attempts);
        Assert.Contains("550", given.LastError, StringComparison.Ordinal);
        Assert.Equal("password-hint", given.Template);

        // The next mail goes through; the given-up one stays given up.
        var later = await MailTestKit.RegisterWithHintAsync(anonymous);
        await MailTestKit.AskHintAsync(anonymous, later.Email);
        await sink.WaitForAsync(later.Email);
        var still = Assert.Single(await MailTestKit.OutboxAsync(factory, rejected.Email));
        Assert.Equal(1, still.Attempts);
        Assert.Empty(sink.To(rejected.Email));

        // Counted: one given up, and the delivered one, by kind of mail only.
        using var metrics = await factory.ClientFrom(IPAddress.Loopback).GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Matches("""coffer_mail_failed_total\{[^}]*outcome="given_up"[^}]*\} [1-9]""", text);
        Assert.Matches("""coffer_mail_sent_total\{[^}]*template="password-hint"[^}]*\} [1-9]""", text);
        Assert.DoesNotContain(rejected.Email, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MailToAnAddressMimeKitCannotParse_IsGivenUp_AndTheRestOfTheBatchIsDelivered()
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var mailer = scope.ServiceProvider.GetRequiredService<Mailer>();
            mailer.Queue("not an address", "smtp-test");
            mailer.Queue("after-bad@coffer.test", "smtp-test");
            await scope.ServiceProvider.GetRequiredService<Changes>().CommitAsync();
        }

        await sink.WaitForAsync("after-bad@coffer.test");
        var bad = await MailTestKit.WaitForOutboxAsync(factory, "not an address", m => m.FailedDate is not null);
        Assert.StartsWith("Not a deliverable address", bad.LastError, StringComparison.Ordinal);
    }
}

/// <summary>A mail server that is down, or hangs, delays mail without losing it and without slowing any request.</summary>
public sealed class MailServerDownTests
{
    [Fact]
    public async Task MailQueuedWhileTheServerIsDown_IsDeliveredWhenItIsBackOnTheSamePort()
    {
        var first = await MailSink.StartAsync();
        var (port, folder) = (first.Port, first.Folder);
        await using var factory = new CofferFactory();
        foreach (var (key, value) in first.Settings)
        {
            factory.Settings[key] = value;
        }

        var anonymous = factory.CreateClient();
        var account = await MailTestKit.RegisterWithHintAsync(anonymous);
        await first.DisposeAsync();

        var took = await MailTestKit.AskHintAsync(anonymous, account.Email);
        Assert.True(took < TimeSpan.FromSeconds(3), $"The request took {took}.");
        var waiting = await MailTestKit.WaitForOutboxAsync(factory, account.Email, m => m.Attempts >= 1);
        Assert.Null(waiting.FailedDate);
        Assert.StartsWith("Could not connect", waiting.LastError, StringComparison.Ordinal);

        await using var back = await MailSink.StartAsync(port: port, folder: folder);
        var mail = await back.WaitForAsync(account.Email, timeout: TimeSpan.FromSeconds(40));
        Assert.Equal("Your master password hint", mail.Subject);
        await MailTestKit.WaitForEmptyOutboxAsync(factory, account.Email);
    }

    [Fact]
    public async Task AMailServerThatNeverAnswers_DoesNotSlowTheRequest()
    {
        // Accepts connections and never says a word: the sender waits for its timeout, in the background.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:Smtp:Host"] = "127.0.0.1";
        factory.Settings["Coffer:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        factory.Settings["Coffer:Smtp:Security"] = "None";
        factory.Settings["Coffer:Smtp:From"] = "coffer@coffer.test";
        factory.Settings["Coffer:Smtp:TimeoutSeconds"] = "30";

        var anonymous = factory.CreateClient();
        var account = await MailTestKit.RegisterWithHintAsync(anonymous);
        for (var i = 0; i < 3; i++)
        {
            var took = await MailTestKit.AskHintAsync(anonymous, account.Email);
            Assert.True(took < TimeSpan.FromSeconds(3), $"Request {i} took {took}.");
        }

        using var connection = await silent.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(3, (await MailTestKit.OutboxAsync(factory, account.Email)).Count);
    }
}
