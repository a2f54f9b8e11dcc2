using System.Text.RegularExpressions;
using Coffer.E2E.Tests.Harness;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault as a person sees it: screens reached by their links and buttons, fields found by their labels,
/// the way a user (or a screen reader) finds them. Only the list and a few live values use the app's test ids.
/// </summary>
public sealed class WebVault(IPage page)
{
    public IPage Page { get; } = Journaled(page);

    public ILocator List => Page.GetByTestId("vault-list");

    /// <summary>The names in the list as shown (after the current search and folder filter).</summary>
    public ILocator ListNames => List.Locator("a.item-link .name");

    public ILocator Alert => Page.GetByRole(AriaRole.Alert);

    /// <summary>
    /// A new browser context on the vault's start page. With <paramref name="fakeClock"/> the page's timers and
    /// Date run on Playwright's clock (it flows normally until a test moves it on), installed before the app loads.
    /// </summary>
    public static async Task<WebVault> OpenAsync(BrowserFixture fixture, ViewportSize? viewport = null, bool fakeClock = false)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var vault = new WebVault(await fixture.NewPageAsync(viewport));
        if (fakeClock)
        {
            await vault.Page.Clock.InstallAsync();
        }

        await vault.Page.GotoAsync("/");
        return vault;
    }

    /// <summary>A section of the settings screen, found by its heading.</summary>
    public ILocator Section(string title) => Page.GetByRole(AriaRole.Region, new() { Name = title, Exact = true });

    public ILocator Field(string label) => Page.GetByLabel(label, new() { Exact = true });

    public ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    public ILocator Heading(string name) => Page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true });

    public async Task RegisterAsync(TestAccount account)
    {
        await FillRegistrationAsync(account);
        await Button("Create account").ClickAsync();
        await WaitForListAsync();
    }

    /// <summary>
    /// Fills the sign-up form and waits for the strength meter's verdict on the password: the form asks "weak,
    /// use it anyway?" when submitted before the verdict arrives, as a person typing slower would never see.
    /// </summary>
    public async Task FillRegistrationAsync(TestAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        await Page.GotoAsync("/#/register");
        await Field("Email address").FillAsync(account.Email);
        await Field("Master password").FillAsync(account.Password);
        await Assertions.Expect(Page.GetByTestId("strength-label")).ToHaveTextAsync(new Regex("^Strength: "));
        await Field("Confirm master password").FillAsync(account.Password);
    }

    /// <summary>Signs up with Argon2id (64 MiB, 3 iterations, parallelism 4) instead of the default PBKDF2, and waits for the empty vault.</summary>
    public async Task RegisterWithArgon2idAsync(TestAccount account)
    {
        await FillRegistrationAsync(account);
        await Field("Key derivation (KDF)").SelectOptionAsync(new SelectOptionValue { Label = "Argon2id, 64 MiB, 3 iterations, parallelism 4" });
        await Button("Create account").ClickAsync();
        await WaitForListAsync();
    }

    /// <summary>Fills the login form and presses "Log in"; the caller waits for what should follow.</summary>
    public async Task SubmitLoginAsync(string email, string password)
    {
        await Page.GotoAsync("/#/login");
        await Field("Email address").FillAsync(email);
        await Field("Master password").FillAsync(password);
        await Button("Log in").ClickAsync();
    }

    public async Task LoginAsync(string email, string password)
    {
        await SubmitLoginAsync(email, password);
        await WaitForListAsync();
    }

    public async Task WaitForListAsync() =>
        await PageJournal.DescribeOnTimeoutAsync(Page, () => Page.Locator("[data-testid=vault-list][data-ready=true]").WaitForAsync());

    /// <summary>Follows a link of the main navigation (Vault, Trash, Folders, Generator, Import, Export, Settings).</summary>
    public async Task NavigateAsync(string link)
    {
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
        await Page.Locator("main h1").First.WaitForAsync();
    }

    public async Task OpenItemAsync(string name)
    {
        await List.GetByRole(AriaRole.Link).Filter(new() { Has = Page.Locator(".name", new() { HasTextString = name }) }).First.ClickAsync();
        await PageJournal.DescribeOnTimeoutAsync(Page, () => Heading(name).WaitForAsync());
    }

    /// <summary>The value shown for a field of the item screen; secrets are revealed first.</summary>
    public async Task<string> ItemValueAsync(string label)
    {
        var row = Page.Locator("dl.fields .row").Filter(new() { Has = Page.Locator("dt", new() { HasTextString = label }) }).First;
        var reveal = row.GetByRole(AriaRole.Button, new() { Name = $"Reveal {label}" });
        if (await reveal.CountAsync() > 0)
        {
            await reveal.ClickAsync();
        }

        return (await row.Locator("dd .value").InnerTextAsync()).Trim();
    }

    /// <summary>Presses "New login" (or note, card, identity) on the vault screen and waits for the form.</summary>
    public async Task StartNewItemAsync(string type)
    {
        await Button($"New {type}").ClickAsync();
        await PageJournal.DescribeOnTimeoutAsync(Page, () => Heading($"New {type}").WaitForAsync());
    }

    /// <summary>Saves the open edit form and waits for the item screen it leads to.</summary>
    public async Task SaveItemAsync(string name)
    {
        await Button("Save").ClickAsync();
        await PageJournal.DescribeOnTimeoutAsync(Page, () => Heading(name).WaitForAsync());
    }

    public async Task SearchAsync(string text) => await Page.GetByRole(AriaRole.Searchbox).FillAsync(text);

    public async Task FilterFolderAsync(string folder) =>
        await Field("Folder").SelectOptionAsync(new SelectOptionValue { Label = folder });

    public async Task LockAsync()
    {
        await Button("Lock").ClickAsync();
        await Heading("Your vault is locked").WaitForAsync();
    }

    // textContent, not innerText: rows far below the fold may be left unrendered (content-visibility), yet they are in the list.
    public async Task<IReadOnlyList<string>> NamesInListAsync() => await ListNames.AllTextContentsAsync();

    private static IPage Journaled(IPage page)
    {
        PageJournal.Begin(page);
        return page;
    }
}
