using Coffer.Server.Tests.Infrastructure;
using static Coffer.Server.Tests.TwoFactor.EmailCodeApi;
using static Coffer.Server.Tests.TwoFactor.TwoFactorApi;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>
/// Two-step login by e-mailed code (provider 1) through a real SMTP server (MailSink): setup proves the mailbox,
/// the login challenge mails a code, and codes are single-use, expiring, bounded in wrong tries and bound to their purpose.
/// </summary>
public sealed class EmailCodeTests(TwoFactorServer server) : IClassFixture<TwoFactorServer>
{
    private readonly CofferFactory factory = server.Factory;
    private readonly MailSink sink = server.Sink;

    [Fact]
    public async Task EmailProvider_EnabledWithTheMailedCode_MailsALoginCodeThatLogsIn()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account, sink);

        var challenge = await LoginAsync(account).ExpectChallengeAsync();
        Assert.Contains("\"TwoFactorProviders2\":{\"1\":{\"Email\":\"" + account.Email[0] + "***@", challenge, StringComparison.Ordinal);
        var code = await LoginCodeAsync(sink, account.Email);

        await LoginAsync(account, "1", code).ExpectLoginAsync();
    }
}
