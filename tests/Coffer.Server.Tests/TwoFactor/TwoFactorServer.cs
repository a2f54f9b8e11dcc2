using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>
/// A server with mail (its own MailSink) and a public URL, so both e-mail codes (provider 1) and security keys
/// (provider 7, whose RP id and origin come from <c>Coffer:PublicUrl</c>) work.
/// </summary>
public sealed class TwoFactorServer : MailServer
{
    public const string PublicUrl = "https://vault.coffer.test";

    protected override void Configure(CofferFactory factory) => factory.Settings["Coffer:PublicUrl"] = PublicUrl;
}
