using System.Text.RegularExpressions;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Crypto;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>The password generator and the live TOTP code of a login.</summary>
public sealed partial class WebToolsTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Generator_FollowsLengthAndCharacterOptions_MakesPassphrases_AndShowsTheEntropy()
    {
        var web = await WebVault.OpenAsync(fixture);
        await web.RegisterAsync(TestAccount.CreateUnique());
        await web.NavigateAsync("Generator");
        var output = web.Page.GetByTestId("generated-value");
        var entropy = web.Page.GetByTestId("generated-entropy");
        await Assertions.Expect(entropy).ToContainTextAsync("bits");
        var first = await output.InnerTextAsync();
        var firstEntropy = await entropy.InnerTextAsync();
        await Screenshots.SaveAsync(web.Page, "generator");

        await web.Field("Length").FillAsync("40");
        await web.Field("Length").PressAsync("Tab");
        await Assertions.Expect(output).ToHaveTextAsync(new Regex("^.{40}$"));
        var longer = await output.InnerTextAsync();
        var longerEntropy = Bits(await entropy.InnerTextAsync());
        await web.Field("A–Z").UncheckAsync();
        await web.Field("0–9").UncheckAsync();
        await web.Field("!@#$%^&*").UncheckAsync();
        await Assertions.Expect(output).ToHaveTextAsync(new Regex("^[a-z]{40}$"));
        var lowerOnly = await output.InnerTextAsync();
        var lowerOnlyEntropy = Bits(await entropy.InnerTextAsync());
        await web.Button("Regenerate").ClickAsync();
        await Assertions.Expect(output).Not.ToHaveTextAsync(lowerOnly);

        await web.Field("Type").SelectOptionAsync(new SelectOptionValue { Label = "Passphrase" });
        await web.Field("Number of words").FillAsync("5");
        await web.Field("Word separator").FillAsync("+");
        await web.Field("Word separator").PressAsync("Tab");
        await Assertions.Expect(output).ToHaveTextAsync(new Regex(@"^[^+\s]+(\+[^+\s]+){4}$"));
        var passphraseEntropy = Bits(await entropy.InnerTextAsync());

        Assert.NotEqual(first, longer);
        Assert.Matches(@"^Entropy: \d+ bits", firstEntropy);
        Assert.True(longerEntropy > lowerOnlyEntropy, $"{longerEntropy} bits with every class, {lowerOnlyEntropy} with a–z only");
        // 40 characters from 26 letters: 40 · log2(26) ≈ 188 bits.
        Assert.InRange(lowerOnlyEntropy, 185, 190);
        // Five words of the EFF long list (7,776 words): 5 · log2(7776) ≈ 64.6 bits, more with a number or capitals.
        Assert.InRange(passphraseEntropy, 64, 80);
    }

    [Fact]
    public async Task TotpCode_OfASeededLogin_IsTheCodeCofferCoreComputesForItsSecret()
    {
        var account = TestAccount.CreateUnique();
        var seeded = await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 1, 0);
        var secret = seeded.Items[0].Item.Login?.Totp ?? throw new InvalidOperationException("The seeded login has no TOTP secret.");
        var web = await WebVault.OpenAsync(fixture);
        // A fixed clock in the page: the code shown is then the code of exactly this instant, never of the step before.
        var at = new DateTimeOffset(2026, 11, 21, 12, 0, 10, TimeSpan.Zero);
        await web.Page.Clock.SetFixedTimeAsync(at.UtcDateTime);
        await web.LoginAsync(account.Email, account.Password);

        await web.OpenItemAsync("Login 0000");
        var code = web.Page.GetByTestId("totp-code");
        await Assertions.Expect(code).ToHaveTextAsync(new Regex(@"^\d{3} \d{3}$"));
        var shown = (await code.InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        var secondsLeft = await web.Page.GetByTestId("totp-seconds").InnerTextAsync();

        Assert.Equal(Totp.Compute(Base32.Decode(secret), at), shown);
        Assert.Equal("20s", secondsLeft);
    }

    private static int Bits(string entropyText) => int.Parse(BitsPattern().Match(entropyText).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Entropy: (\d+) bits")]
    private static partial Regex BitsPattern();
}
