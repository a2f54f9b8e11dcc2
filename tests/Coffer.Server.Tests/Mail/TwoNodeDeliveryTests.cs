using Coffer.Server.Data;
using Coffer.Server.Mail;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Mail;

/// <summary>Two nodes on one database both run a sender: each message is claimed by one of them and delivered once.</summary>
public sealed class TwoNodeDeliveryTests
{
    [Fact]
    public async Task TwoNodesOnOneDatabase_DeliverEachMessageExactlyOnce()
    {
        await using var sink = await MailSink.StartAsync();
        await using var nodes = new Nodes(2);
        foreach (var node in nodes.All)
        {
            foreach (var (key, value) in sink.Settings)
            {
                node.Settings[key] = value;
            }
        }

        await nodes.StartTogetherAsync();
        const int PerNode = 15;
        var recipients = new List<string>();
        await Task.WhenAll(nodes.All.Select((node, n) =>
        {
            var mine = Enumerable.Range(0, PerNode).Select(i => $"node{n}-{i}@coffer.test").ToList();
            recipients.AddRange(mine);
            return Task.Run(async () =>
            {
                // One commit per message, so both senders are woken again and again while the other is busy.
                foreach (var to in mine)
                {
                    await using var scope = node.Services.CreateAsyncScope();
                    scope.ServiceProvider.GetRequiredService<Mailer>().Queue(to, "smtp-test");
                    await scope.ServiceProvider.GetRequiredService<Changes>().CommitAsync();
                }
            });
        }));

        foreach (var to in recipients)
        {
            await sink.WaitForAsync(to, timeout: TimeSpan.FromSeconds(40));
        }

        // A second delivery would come right after the first; give it the time of a few polls of the outbox.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var delivered = sink.Messages().SelectMany(m => m.To).ToList();
        Assert.Equal(2 * PerNode, delivered.Count);
        Assert.Equal(recipients.Order(StringComparer.Ordinal), delivered.Order(StringComparer.Ordinal));
        await MailTestKit.WaitForEmptyOutboxAsync(nodes[0], recipients[0]);
    }
}
