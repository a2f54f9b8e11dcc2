using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// Screenshots of the main screens, written by every run to artifacts/screenshots/&lt;name&gt;-&lt;width&gt;.png (git
/// ignores artifacts/). A few are copied by hand to docs/screenshots for the README.
/// </summary>
public static class Screenshots
{
    public static string Folder => Path.Combine(RepoPaths.Root, "artifacts", "screenshots");

    public static async Task<string> SaveAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        var width = page.ViewportSize?.Width ?? 0;
        var path = Path.Combine(Directory.CreateDirectory(Folder).FullName, $"{name}-{width}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = false });
        return path;
    }
}
