using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>Opened over plain HTTP on a host other than localhost, the vault refuses to run and says why.</summary>
public sealed class WebInsecureContextTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task PlainHttpOnAnotherHost_ShowsTheInsecureConnectionMessage_AndSendsNothingToTheServer()
    {
        var page = await fixture.NewPageAsync(BrowserFixture.Phone);
        var requested = new List<string>();
        using var http = new HttpClient(fixture.E2E.Certificates.CreateTrustingHandler()) { BaseAddress = fixture.E2E.Server.BaseAddress };
        // http://coffer.test is answered by Playwright with the real server's bytes: the browser sees the genuine
        // vault on a plain-HTTP origin (no DNS, nothing leaves 127.0.0.1), which is no secure context.
        await page.RouteAsync("http://coffer.test/**", async route =>
        {
            var path = new Uri(route.Request.Url).PathAndQuery;
            requested.Add(path);
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = (int)response.StatusCode,
                ContentType = response.Content.Headers.ContentType?.ToString(),
                BodyBytes = await response.Content.ReadAsByteArrayAsync(),
            });
        });

        await page.GotoAsync("http://coffer.test/");
        var heading = page.GetByRole(AriaRole.Heading, new() { Name = "This connection is not secure" });
        await heading.WaitForAsync();
        await Screenshots.SaveAsync(page, "insecure");
        var secure = await page.EvaluateAsync<bool>("() => window.isSecureContext");

        Assert.False(secure);
        Assert.Equal(0, await page.GetByLabel("Master password").CountAsync());
        Assert.Contains("https://coffer.test/", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(requested, p => p.StartsWith("/api", StringComparison.Ordinal) || p.StartsWith("/identity", StringComparison.Ordinal));
    }
}
