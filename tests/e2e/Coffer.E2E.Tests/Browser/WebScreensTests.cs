using Coffer.E2E.Tests.Harness;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The main screens at a phone's and a desktop's width: each fits without sideways scrolling, and each is saved
/// to artifacts/screenshots for review (docs/screenshots holds a few of them for the README).
/// </summary>
public sealed class WebScreensTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 800)]
    public async Task MainScreens_FitTheWidth_WithoutSidewaysScrolling(int width, int height)
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 24, 3);
        var web = await WebVault.OpenAsync(fixture, new ViewportSize { Width = width, Height = height });
        var overflowing = new List<string>();

        await web.Field("Email address").FillAsync(account.Email);
        await Capture(web, "login", overflowing);
        await web.Field("Master password").FillAsync(account.Password);
        await web.Button("Log in").ClickAsync();
        await web.WaitForListAsync();
        await Capture(web, "vault", overflowing);
        await web.OpenItemAsync("Login 0000");
        await Assertions.Expect(web.Page.GetByTestId("totp-code")).Not.ToHaveTextAsync("······");
        await Capture(web, "item", overflowing);
        await GoAsync(web, "#/edit/" + web.Page.Url.Split("#/item/")[1], "Edit login");
        await Capture(web, "edit", overflowing);
        await GoAsync(web, "#/generator", "Password generator");
        await Assertions.Expect(web.Page.GetByTestId("generated-entropy")).ToContainTextAsync("bits");
        await Capture(web, "generator", overflowing);
        await GoAsync(web, "#/settings", "Settings");
        await Capture(web, "settings", overflowing);
        await web.LockAsync();
        await Capture(web, "locked", overflowing);

        Assert.Empty(overflowing);
    }

    [Fact]
    public async Task AWaitThatTimesOut_SaysWhereThePageWasInstead()
    {
        // The harness's own promise (PageJournal): a browser test that fails on a wait names the screen it found.
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 1, 0);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);
        await web.Page.EvaluateAsync("() => { console.error('made to fail'); location.hash = '#/item/00000000-0000-0000-0000-000000000000'; }");

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() =>
            PageJournal.DescribeOnTimeoutAsync(web.Page, () => web.Heading("Login 0000").WaitForAsync(new() { Timeout = 2_000 })));

        Assert.Contains("address: " + fixture.Url.TrimEnd('/') + "/#/item/00000000-0000-0000-0000-000000000000", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("headings: Item not found", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("console error: made to fail", timeout.Message, StringComparison.Ordinal);
        Assert.Matches(@"s  at https://[^\n]+/#/login", timeout.Message);
    }

    private static async Task GoAsync(WebVault web, string hash, string heading)
    {
        // Same-document navigation, as the app's own links do: the unlocked session stays.
        await web.Page.EvaluateAsync("hash => { location.hash = hash; }", hash);
        await web.Heading(heading).WaitForAsync();
    }

    private static async Task Capture(WebVault web, string screen, List<string> overflowing)
    {
        await Screenshots.SaveAsync(web.Page, screen);
        var widths = await web.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        if (widths[0] > widths[1])
        {
            overflowing.Add($"{screen}: {widths[0]} px wide in a {widths[1]} px window");
        }
    }
}
