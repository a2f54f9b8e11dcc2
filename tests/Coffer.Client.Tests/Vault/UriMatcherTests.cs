using Coffer.Client.Vault;

namespace Coffer.Client.Tests.Vault;

public class UriMatcherTests
{
    // A list in the Public Suffix List's own format, so the tests do not depend on the machine's copy.
    private static readonly PublicSuffixList Suffixes = PublicSuffixList.Parse("""
        // ===BEGIN ICANN DOMAINS===
        com
        uk
        co.uk
        // Wildcard and exception, as the real list has for .ck
        *.ck
        !www.ck
        // ===END ICANN DOMAINS===
        // ===BEGIN PRIVATE DOMAINS===
        github.io
        // ===END PRIVATE DOMAINS===
        """);

    [Theory]
    [InlineData("https://www.example.com/login", "example.com")]
    [InlineData("https://a.b.example.co.uk", "example.co.uk")]
    [InlineData("example.co.uk/path", "example.co.uk")]
    [InlineData("https://shop.foo.ck", "shop.foo.ck")]
    [InlineData("https://www.ck", "www.ck")]
    [InlineData("https://alice.github.io", "github.io")]
    [InlineData("https://localhost:8443/x", "localhost")]
    [InlineData("http://192.168.1.10/admin", "192.168.1.10")]
    [InlineData("https://co.uk", null)]
    [InlineData("not a url", null)]
    public void BaseDomain_FollowsTheIcannSectionOfThePublicSuffixList(string url, string? expected) =>
        Assert.Equal(expected, UriMatcher.BaseDomain(url, Suffixes));

    [Theory]
    [InlineData("https://example.co.uk", null, "https://accounts.example.co.uk/signin", true)]
    [InlineData("https://example.co.uk", UriMatch.Domain, "https://other.co.uk", false)]
    [InlineData("https://mail.example.com", UriMatch.Host, "https://mail.example.com/inbox", true)]
    [InlineData("https://mail.example.com", UriMatch.Host, "https://www.example.com", false)]
    [InlineData("https://mail.example.com:8443", UriMatch.Host, "https://mail.example.com/", false)]
    [InlineData("https://example.com/app", UriMatch.StartsWith, "https://example.com/app/login", true)]
    [InlineData("https://example.com/app", UriMatch.StartsWith, "https://example.com/other", false)]
    [InlineData("https://example.com/login", UriMatch.Exact, "https://example.com/login", true)]
    [InlineData("https://example.com/login", UriMatch.Exact, "https://example.com/login?x=1", false)]
    [InlineData(@"^https://(www\.)?example\.com/a+$", UriMatch.RegularExpression, "https://EXAMPLE.com/aaa", true)]
    [InlineData("(unclosed", UriMatch.RegularExpression, "https://example.com", false)]
    [InlineData("https://example.com", UriMatch.Never, "https://example.com", false)]
    public void Matches_FollowsTheItemsRule(string itemUri, UriMatch? match, string url, bool expected) =>
        Assert.Equal(expected, UriMatcher.Matches(itemUri, match, url, Suffixes));

    [Fact]
    public void Load_WithoutTheFile_FallsBackToTheBuiltInList()
    {
        var list = PublicSuffixList.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "none.dat"));

        Assert.True(list.IsFallback);
        Assert.Equal("example.co.uk", list.RegistrableDomain("www.example.co.uk"));
        Assert.Equal("example.com.au", list.RegistrableDomain("login.example.com.au"));
        Assert.Equal("example.org", list.RegistrableDomain("a.example.org"));
    }
}
