using Coffer.Server.Data;
using Coffer.Server.Mail;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Mail;

/// <summary>
/// The outbox against a real SMTP server (MailSink): mail queued with a change is delivered after its commit, never
/// for a change that rolled back, and every template renders a subject, a text part and an HTML part.
/// </summary>
public sealed class OutboxTests(MailServer server) : IClassFixture<MailServer>
{
    private readonly CofferFactory factory = server.Factory;
    private readonly MailSink sink = server.Sink;

    [Fact]
    public async Task QueuedMail_IsDeliveredAfterTheCommit_AndLeavesTheOutbox()
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<Mailer>().Queue("first@coffer.test", "smtp-test");
            await scope.ServiceProvider.GetRequiredService<Changes>().CommitAsync();
        }

        var mail = await sink.WaitForAsync("first@coffer.test");

        Assert.Equal("Coffer test message", mail.Subject);
        Assert.Contains("Coffer can send mail", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Coffer can send mail", mail.Html, StringComparison.Ordinal);
        Assert.Equal("coffer@coffer.test", Assert.Single(mail.Message.From.Mailboxes).Address);
        Assert.Equal("auto-generated", mail.Message.Headers["Auto-Submitted"]);
        await WaitUntilAsync(async () => await CountOutboxAsync() == 0);
    }

    [Fact]
    public async Task MailOfARefusedChange_IsNeverSent()
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<Mailer>().Queue("refused@coffer.test", "smtp-test");
            var changes = scope.ServiceProvider.GetRequiredService<Changes>();
            changes.Require(Guid.Empty, _ => Task.FromResult<string?>("refused"));
            await Assert.ThrowsAsync<ChangeRefusedException>(() => changes.CommitAsync());
        }

        // A later change's mail arrives, and the refused one never came before it.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<Mailer>().Queue("later@coffer.test", "smtp-test");
            await scope.ServiceProvider.GetRequiredService<Changes>().CommitAsync();
        }

        await sink.WaitForAsync("later@coffer.test");
        Assert.Empty(sink.To("refused@coffer.test"));
    }

    [Fact]
    public void EveryTemplate_RendersASubjectATextPartAndAnHtmlPart()
    {
        Assert.Contains("smtp-test", MailTemplates.Names);
        foreach (var name in MailTemplates.Names)
        {
            var mail = MailTemplates.Render(name, new Dictionary<string, string?> { ["vault_url"] = "https://vault.coffer.test" });
            Assert.False(string.IsNullOrWhiteSpace(mail.Subject), name);
            Assert.False(string.IsNullOrWhiteSpace(mail.Text), name);
            Assert.StartsWith("<!DOCTYPE html>", mail.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("{{", mail.Text + mail.Html, StringComparison.Ordinal);
        }
    }

    private async Task<int> CountOutboxAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CofferDb>().OutboxMessages.CountAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await condition());
    }
}
