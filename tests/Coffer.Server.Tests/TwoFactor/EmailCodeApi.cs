using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>The e-mail provider's calls (provider 1) as the web vault makes them, and the codes read from the sink.</summary>
public static partial class EmailCodeApi
{
    /// <summary><c>get-email</c> with the master password; returns the answer (state and verification token).</summary>
    public static async Task<JsonObject> GetAsync(TestAccount account)
    {
        using var response = await account.Client.PostJsonAsync("/api/two-factor/get-email", new JsonObject { ["masterPasswordHash"] = account.Credentials.MasterPasswordHash });
        return await response.ExpectObjectAsync();
    }

    public static Task<HttpResponseMessage> SendSetupAsync(TestAccount account, string token, string email) =>
        account.Client.PostJsonAsync("/api/two-factor/send-email", new JsonObject { ["email"] = email, ["userVerificationToken"] = token });

    public static Task<HttpResponseMessage> PutAsync(TestAccount account, string token, string email, string code) =>
        account.Client.PutJsonAsync("/api/two-factor/email", new JsonObject { ["email"] = email, ["token"] = code, ["userVerificationToken"] = token });

    /// <summary>Turns provider 1 on for the account's own address with the mailed code, as the web vault does.</summary>
    public static async Task EnableAsync(TestAccount account, MailSink sink)
    {
        var token = (await GetAsync(account)).RequireString("userVerificationToken");
        var earlier = SetupMails(sink, account.Email).Count;
        using (var sent = await SendSetupAsync(account, token, account.Email))
        {
            await sent.ExpectSuccessAsync();
        }

        await sink.WaitForAsync(account.Email, _ => SetupMails(sink, account.Email).Count > earlier);
        var code = CodeIn(SetupMails(sink, account.Email)[^1]);
        using var response = await PutAsync(account, token, account.Email, code);
        await response.ExpectObjectAsync();
    }

    /// <summary><c>send-email-login</c> (anonymous) with the account's password hash.</summary>
    public static Task<HttpResponseMessage> SendLoginCodeAsync(TestAccount account, string? password = null) =>
        account.Factory.CreateClient().PostJsonAsync("/api/two-factor/send-email-login", new JsonObject
        {
            ["email"] = account.Email,
            ["masterPasswordHash"] = password ?? account.Credentials.MasterPasswordHash,
        });

    /// <summary>The six-digit code of a 2FA mail (the only number of six digits in its text).</summary>
    public static string CodeIn(SunkMail mail) => SixDigits().Match(mail.Text).Value is { Length: 6 } code
        ? code
        : throw new InvalidOperationException("no code in: " + mail.Text);

    /// <summary>Waits for the <paramref name="nth"/> login-code mail (1-based) to the address and returns its code.</summary>
    public static async Task<string> LoginCodeAsync(MailSink sink, string to, int nth = 1)
    {
        await sink.WaitForAsync(to, m => m.Subject == "Your Coffer login code" && LoginMails(sink, to).Count >= nth);
        return CodeIn(LoginMails(sink, to)[nth - 1]);
    }

    public static IReadOnlyList<SunkMail> SetupMails(MailSink sink, string to) => [.. sink.To(to).Where(m => m.Subject.StartsWith("Confirm", StringComparison.Ordinal))];

    public static IReadOnlyList<SunkMail> LoginMails(MailSink sink, string to) => [.. sink.To(to).Where(m => m.Subject == "Your Coffer login code")];

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
