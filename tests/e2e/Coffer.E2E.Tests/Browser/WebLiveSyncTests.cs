using System.Diagnostics;
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
        using var held = await SyncAnswersHeld.StartAsync(web, fixture.E2E.Certificates, count: 1);
        await web.Button("Sync").ClickAsync();
        await held.AnsweredAsync(1);

        await coffer.OkAsync("coffer add login", "add", "login", "--name", "Payroll", "--username", "grace", "--password", "p4yroll-Pa55");
        await Assertions.Expect(web.ListNames.GetByText("Payroll", new() { Exact = true })).ToHaveCountAsync(1, Patiently);
        held.Deliver();
        await Assertions.Expect(web.Button("Sync")).ToBeEnabledAsync();

        Assert.Equal(["Login 0000", "Note 0001", "Payroll"], (await web.ListNames.AllInnerTextsAsync()).Order(StringComparer.Ordinal));
        await web.OpenItemAsync("Payroll");
        Assert.Equal("p4yroll-Pa55", await web.ItemValueAsync("Password"));
    }

    [Fact]
    public async Task SyncAnswersSentBeforeAnEditHere_DoNotUndoIt_AndWhatTheyCarriedStillArrives()
    {
        // Two syncs are answered by the server before an edit made in the page (the pressed Sync; live sync after
        // coffer added an item) and delivered after it. Neither may put the old name back, and the item coffer added
        // must still show: the page syncs once more.
        var (_, coffer, web) = await OpenTwiceAsync(2);
        using var held = await SyncAnswersHeld.StartAsync(web, fixture.E2E.Certificates, count: 2);
        await web.Button("Sync").ClickAsync();
        await held.AnsweredAsync(1);
        await coffer.OkAsync("coffer add login", "add", "login", "--name", "Payroll", "--username", "grace", "--password", "p4yroll-Pa55");
        await held.AnsweredAsync(2);

        await web.OpenItemAsync("Login 0000");
        await web.Button("Edit").ClickAsync();
        await web.Field("Name").FillAsync("Login renamed");
        await web.SaveItemAsync("Login renamed");
        await web.NavigateAsync("Vault");
        held.Deliver();

        await Assertions.Expect(web.ListNames.GetByText("Payroll", new() { Exact = true })).ToHaveCountAsync(1, Patiently);
        Assert.Equal(["Login renamed", "Note 0001", "Payroll"], (await web.ListNames.AllInnerTextsAsync()).Order(StringComparer.Ordinal));
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

    /// <summary>
    /// Holds the page's next <c>count</c> sync answers in the network: each request is answered by the server at once
    /// (over a client that trusts the test CA, as the page does) and handed to the page only on <see cref="Deliver"/>.
    /// Later syncs pass untouched.
    /// </summary>
    private sealed class SyncAnswersHeld(HttpClient http, int count) : IDisposable
    {
        private readonly TaskCompletionSource deliver = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int seen;
        private int answered;

        public static async Task<SyncAnswersHeld> StartAsync(WebVault web, TestCertificates certificates, int count)
        {
            var held = new SyncAnswersHeld(new HttpClient(certificates.CreateTrustingHandler()), count);
            await web.Page.RouteAsync(new Regex("/api/sync\\?"), held.RouteAsync);
            return held;
        }

        /// <summary>Waits until the server has answered <paramref name="requests"/> held requests.</summary>
        public async Task AnsweredAsync(int requests)
        {
            var until = Stopwatch.StartNew();
            while (Volatile.Read(ref answered) < requests)
            {
                Assert.True(until.Elapsed < TimeSpan.FromSeconds(30), $"The page sent {Volatile.Read(ref seen)} of {requests} syncs.");
                await Task.Delay(50);
            }
        }

        public void Deliver() => deliver.TrySetResult();

        public void Dispose() => http.Dispose();

        private async Task RouteAsync(IRoute route)
        {
            if (Interlocked.Increment(ref seen) > count)
            {
                await route.ContinueAsync();
                return;
            }

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
            Interlocked.Increment(ref answered);
            await deliver.Task;
            await route.FulfillAsync(new() { Status = (int)answer.StatusCode, ContentType = "application/json", BodyBytes = body });
        }
    }
}
