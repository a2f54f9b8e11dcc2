using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Mail;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Mail;

/// <summary>What the mail tests share: an account with a hint (so a request queues mail), the outbox's rows, waiting.</summary>
internal static class MailTestKit
{
    public const string PasswordHintUrl = "/api/accounts/password-hint";

    /// <summary>Registers an account whose master password hint is <paramref name="hint"/> (registration token flow, mail verification off).</summary>
    public static async Task<Credentials> RegisterWithHintAsync(HttpClient anonymous, string hint = "the blue door")
    {
        var credentials = Credentials.New();
        var token = await IdentityApi.RequestRegistrationTokenAsync(anonymous, credentials.Email, credentials.Name);
        var body = Payloads.RegisterFinish(credentials, token);
        body["masterPasswordHint"] = hint;
        using var response = await anonymous.PostJsonAsync(IdentityApi.RegisterFinishUrl, body);
        await response.ExpectJsonAsync();
        return credentials;
    }

    /// <summary>Asks for the hint of <paramref name="email"/> and answers how long the request took (it must not wait for the mail).</summary>
    public static async Task<TimeSpan> AskHintAsync(HttpClient anonymous, string email)
    {
        var watch = Stopwatch.StartNew();
        using var response = await anonymous.PostJsonAsync(PasswordHintUrl, new JsonObject { ["email"] = email });
        watch.Stop();
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        return watch.Elapsed;
    }

    public static async Task<List<OutboxMessage>> OutboxAsync(CofferFactory factory, string to)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CofferDb>().OutboxMessages.AsNoTracking().Where(m => m.To == to).ToListAsync();
    }

    /// <summary>Waits (up to 30 s) until the outbox row for <paramref name="to"/> satisfies <paramref name="condition"/>, and returns it.</summary>
    public static async Task<OutboxMessage> WaitForOutboxAsync(CofferFactory factory, string to, Func<OutboxMessage, bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var rows = await OutboxAsync(factory, to);
            if (rows.Count == 1 && condition(rows[0]))
            {
                return rows[0];
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"The outbox row for {to} never reached the expected state: "
                + string.Join("; ", rows.Select(r => $"attempts {r.Attempts}, failed {r.FailedDate}, error {r.LastError}")));
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until nothing for <paramref name="to"/> is left in the outbox (a delivered message is deleted).</summary>
    public static async Task WaitForEmptyOutboxAsync(CofferFactory factory, string to)
    {
        var watch = Stopwatch.StartNew();
        while ((await OutboxAsync(factory, to)).Count > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"The mail to {to} is still in the outbox.");
            await Task.Delay(100);
        }
    }
}
