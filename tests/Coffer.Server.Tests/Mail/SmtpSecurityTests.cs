using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Mail;

/// <summary>
/// Mail over STARTTLS and implicit TLS with SMTP AUTH, against MailSink with a certificate from a throwaway CA. The
/// server runs as a process that trusts that CA the way an operator trusts a private CA: <c>SSL_CERT_FILE</c>, which
/// .NET reads on Linux as the root store. Certificate checks stay on: without the CA, the TLS step fails.
/// </summary>
public sealed class SmtpSecurityTests : IAsyncLifetime
{
    private readonly string folder = CofferFactory.CreateTempFolder();
    private TestCertificates certificates = null!;

    public Task InitializeAsync()
    {
        certificates = TestCertificates.Create(folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        certificates.Dispose();
        CofferFactory.DeleteFolder(folder);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("starttls", "StartTls")]
    [InlineData("implicit", "Tls")]
    public async Task SmtpTest_OverTlsWithAuth_IsDeliveredEncryptedAndAuthenticated(string sinkTls, string security)
    {
        await using var sink = await StartSinkAsync(sinkTls);
        var result = await SmtpTestAsync(sink, security, "secret-pw", trustCa: true, "admin@coffer.test");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("took the test message to admin@coffer.test", result.StdOut, StringComparison.Ordinal);
        var mail = await sink.WaitForAsync("admin@coffer.test");
        Assert.True(mail.OverTls);
        Assert.True(mail.Authenticated);
        Assert.Equal("Coffer test message", mail.Subject);
    }

    [Theory]
    [InlineData("starttls", "StartTls", "wrong-pw", true, "refused the user name or password")]
    [InlineData("implicit", "Tls", "secret-pw", false, "TLS with the mail server failed")]
    public async Task SmtpTest_WithAWrongPasswordOrAnUntrustedCertificate_ExitsOneNamingTheStep(
        string sinkTls, string security, string password, bool trustCa, string expected)
    {
        await using var sink = await StartSinkAsync(sinkTls);
        var result = await SmtpTestAsync(sink, security, password, trustCa, "admin@coffer.test");

        Assert.Equal(1, result.ExitCode);
        Assert.True(result.StdErr.Contains(expected, StringComparison.Ordinal), result.StdErr);
        Assert.Empty(sink.Messages());
    }

    [Fact]
    public async Task SmtpTest_CheckingRevocationAgainstACaWithoutRevocationLists_NamesTheSettingToChange()
    {
        await using var sink = await StartSinkAsync("starttls");
        var environment = Environment(sink, "StartTls", "secret-pw", trustCa: true);
        environment.Remove("Coffer__Smtp__CheckCertificateRevocation");
        var result = await ServerProcess.RunCommandAsync(null, folder, environment, "smtp", "test", "admin@coffer.test");

        Assert.Equal(1, result.ExitCode);
        Assert.True(result.StdErr.Contains("Coffer:Smtp:CheckCertificateRevocation=false", StringComparison.Ordinal), result.StdErr);
    }

    [Theory]
    [InlineData(new string[0], "Mail is off")]
    [InlineData(new[] { "not-an-address" }, "is not an e-mail address")]
    public async Task SmtpTest_WithoutMailOrWithABadAddress_ExitsTwo(string[] address, string message)
    {
        await using var sink = await StartSinkAsync("starttls");
        var environment = address.Length == 0 ? new Dictionary<string, string?>() : Environment(sink, "StartTls", "secret-pw", trustCa: true);
        var result = await ServerProcess.RunCommandAsync(null, folder, environment, ["smtp", "test", .. address.Length == 0 ? ["a@coffer.test"] : address]);

        Assert.Equal(2, result.ExitCode);
        Assert.True(result.StdErr.Contains(message, StringComparison.Ordinal), result.StdErr);
    }

    [Fact]
    public async Task Outbox_OverStartTlsWithAuth_DeliversMailQueuedByARequest()
    {
        await using var sink = await StartSinkAsync("starttls");
        var node = Directory.CreateDirectory(Path.Combine(folder, "node")).FullName;
        await using var server = await ServerProcess.StartAsync(null, node, Environment(sink, "StartTls", "secret-pw", trustCa: true));
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        var account = await MailTestKit.RegisterWithHintAsync(anonymous, "over tls");

        using var response = await anonymous.PostAsJsonAsync(MailTestKit.PasswordHintUrl, new JsonObject { ["email"] = account.Email });
        response.EnsureSuccessStatusCode();

        var mail = await sink.WaitForAsync(account.Email);
        Assert.True(mail.OverTls);
        Assert.True(mail.Authenticated);
        Assert.Contains("over tls", mail.Text, StringComparison.Ordinal);
    }

    private Task<MailSink> StartSinkAsync(string tls) => MailSink.StartAsync(
        ["--tls", tls, "--cert", certificates.ServerCertPath, "--key", certificates.ServerKeyPath, "--auth", "coffer:secret-pw"]);

    private Task<ProcessResult> SmtpTestAsync(MailSink sink, string security, string password, bool trustCa, string to) =>
        ServerProcess.RunCommandAsync(null, folder, Environment(sink, security, password, trustCa), "smtp", "test", to);

    private Dictionary<string, string?> Environment(MailSink sink, string security, string password, bool trustCa)
    {
        var environment = new Dictionary<string, string?>(sink.Environment)
        {
            ["Coffer__Smtp__Security"] = security,
            ["Coffer__Smtp__Username"] = "coffer",
            ["Coffer__Smtp__Password"] = password,
            ["Coffer__Smtp__CheckCertificateRevocation"] = "false",
            // And an empty directory (.NET reads every file of SSL_CERT_DIR as a root), so the machine's own roots count neither way.
            ["SSL_CERT_FILE"] = trustCa ? certificates.CaPemPath : Path.Combine(folder, "no-such-ca.pem"),
            ["SSL_CERT_DIR"] = Directory.CreateDirectory(Path.Combine(folder, "no-roots")).FullName,
        };
        return environment;
    }
}
