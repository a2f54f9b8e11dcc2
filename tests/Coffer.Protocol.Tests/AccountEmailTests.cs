using Coffer.Protocol.Api;

namespace Coffer.Protocol.Tests;

public sealed class AccountEmailTests
{
    public static TheoryData<string, string> Emails => new()
    {
        { ProtocolVectors.Pbkdf2Account.EmailAsTyped, ProtocolVectors.Pbkdf2Account.Salt },
        { "test@example.com", "test@example.com" },
        { "\tMIXED@Case.ORG\n", "mixed@case.org" },
    };

    [Theory]
    [MemberData(nameof(Emails))]
    public void Normalize_TrimsAndLowercases(string email, string expected)
    {
        Assert.Equal(expected, AccountEmail.Normalize(email));
    }

    [Fact]
    public void Normalize_IsCultureInvariant_ForTheTurkishI()
    {
        // Under a Turkish culture "I".ToLower() is a dotless ı; the salt must not depend on the machine's culture.
        Assert.Equal("i@example.com", AccountEmail.Normalize("I@EXAMPLE.COM"));
    }
}
