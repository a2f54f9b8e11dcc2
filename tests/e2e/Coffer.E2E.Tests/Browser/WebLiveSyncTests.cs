using System.Text.RegularExpressions;
using Coffer.E2E.Tests.Harness;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// Live sync: an open web vault follows changes made on another device through the notifications hub, without the
/// Sync button.
/// </summary>
public sealed class WebLiveSyncTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string NewPasswordVariable = "COFFER_E2E_NEW_PASSWORD";

    // Generous: the first connection, the debounce and a full sync on a busy two-core machine.
    private static readonly LocatorAssertionsToHaveCountOptions Patiently = new() { Timeout = 30_000 };

    /// <summary>A seeded account of <paramref name="items"/> items, logged in with coffer and in a browser.</summary>
    private async Task<(TestAccount Account, CofferClient Coffer, WebVault Web)> OpenTwiceAsync(int items)
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, items, 0);
        var coffer = fixture.E2E.NewCoffer(account);
        await coffer.LoginAsync(fixture.Url);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);
        return (account, coffer, web);
    }

    [Fact]
    public async Task ItemAddedByCoffer_AppearsInTheOpenBrowserList_WithoutPressingSync_AndKeepsTheSearch()
    {
        var (_, coffer, web) = await OpenTwiceAsync(2);
        await web.Field("Search vault").FillAsync("pay");
        await Assertions.Expect(web.ListNames).ToHaveCountAsync(0);

        await coffer.OkAsync("coffer add login", "add", "login", "--name", "Payroll", "--username", "grace", "--password", "p4yroll-Pa55");
        await Assertions.Expect(web.ListNames.GetByText("Payroll", new() { Exact = true })).ToHaveCountAsync(1, Patiently);
        await coffer.OkAsync("coffer add login", "add", "login", "--name", "Pay slips", "--username", "grace", "--password", "sl1ps-Pa55");
        await Assertions.Expect(web.ListNames).ToHaveCountAsync(2, Patiently);

        Assert.Equal("pay", await web.Field("Search vault").InputValueAsync());
        Assert.Equal(["Pay slips", "Payroll"], (await web.ListNames.AllInnerTextsAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnOlderSyncAnswer_ArrivingAfterANewerOne_DoesNotTakeBackWhatTheListShows()
    {
        // Sync (pressed) and live sync run on their own. The server answers the pressed Sync before the item exists,
        // the answer is held back in the network until live sync has shown the item, then delivered: it is older than
        // what the page shows and must not replace it.
        var (_, coffer, web) = await OpenTwiceAsync(2);

        using var http = new HttpClient(fixture.E2E.Certificates.CreateTrustingHandler());
        var answered = new TaskCompletionSource();
        var deliver = new TaskCompletionSource();
        var heldOne = 0;
        await web.Page.RouteAsync(new Regex("/api/sync\\?"), async route =>
        {
            if (Interlocked.Exchange(ref heldOne, 1) == 1)
            {
                await route.ContinueAsync();
                return;
            }

            // Asked of the server now (over a client that trusts the test CA, as the page does), delivered later.
            using var request = new HttpRequestMessage(HttpMethod.Get, route.Request.Url);
            foreach (var (name, value) in await route.Request.AllHeadersAsync())
            {
                if (name is not ("host" or "accept-encoding" or "connection") && !name.StartsWith(':'))
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var answer = await http.SendAsync(request);
            var body = await answer.Content.ReadAsByteArrayAsync();
            answered.SetResult();
            await deliver.Task;
            await route.FulfillAsync(new() { Status = (int)answer.StatusCode, ContentType = "application/json", BodyBytes = body });
        });
        await web.Button("Sync").ClickAsync();
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await coffer.OkAsync("coffer add login", "add", "login", "--name", "Payroll", "--username", "grace", "--password", "p4yroll-Pa55");
        await Assertions.Expect(web.ListNames.GetByText("Payroll", new() { Exact = true })).ToHaveCountAsync(1, Patiently);
        deliver.SetResult();
        await Assertions.Expect(web.Button("Sync")).ToBeEnabledAsync();

        Assert.Equal(["Login 0000", "Note 0001", "Payroll"], (await web.ListNames.AllInnerTextsAsync()).Order(StringComparer.Ordinal));
        await web.OpenItemAsync("Payroll");
        Assert.Equal("p4yroll-Pa55", await web.ItemValueAsync("Password"));
    }

    [Fact]
    public async Task MasterPasswordChangedByCoffer_LogsTheOpenBrowserOut()
    {
        var (account, coffer, web) = await OpenTwiceAsync(1);

        coffer.ExtraEnvironment[NewPasswordVariable] = account.Password + "-changed";
        await coffer.OkAsync("coffer account password", "account", "password", "--new-passwordenv", NewPasswordVariable);

        await Assertions.Expect(web.Heading("Log in")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal(0, await web.List.CountAsync());
    }
}
