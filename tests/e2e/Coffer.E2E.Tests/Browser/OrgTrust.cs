using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault's questions about organizations (malicious-server.md BW08): an organization this browser did not
/// create or join is hidden until the user answers "I did this" to the one-time question that names it. Tests whose
/// organizations were set up outside the browser (OrgSeeder) answer it as a person who joined elsewhere would.
/// </summary>
public static class OrgTrust
{
    /// <summary>The quarantine question about <paramref name="organization"/> (data-check="org-inject").</summary>
    public static ILocator OrgQuestion(this WebVault web, string organization)
    {
        ArgumentNullException.ThrowIfNull(web);
        return web.Page.Locator("dialog[data-check=org-inject]").Filter(new() { HasTextString = $"“{organization}”" });
    }

    /// <summary>
    /// Answers "I did this" to the question about <paramref name="organization"/>, then waits until the open list offers
    /// it as a vault (the vault synced again with the organization pinned).
    /// </summary>
    public static async Task TrustOrganizationAsync(this WebVault web, string organization)
    {
        ArgumentNullException.ThrowIfNull(web);
        var question = web.OrgQuestion(organization);
        await question.GetByRole(AriaRole.Button, new() { Name = "I did this", Exact = true }).ClickAsync();
        await Assertions.Expect(question).ToHaveCountAsync(0);
        await Assertions.Expect(web.Page.Locator("#org-filter option").Filter(new() { HasTextString = organization })).ToHaveCountAsync(1);
    }

    /// <summary>Ticks "… read me the same phrase" on a confirm screen (member or emergency contact).</summary>
    public static async Task TickPhraseComparedAsync(this WebVault web, string email)
    {
        ArgumentNullException.ThrowIfNull(web);
        await web.Page.GetByLabel($"{email} read me the same phrase").CheckAsync();
    }
}
