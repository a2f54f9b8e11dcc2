using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>
/// Protocol §8's golden check: the §2.5 PBKDF2 vector account ("  Test.User@Example.com ", 600 000 iterations)
/// is registered by coffer and logged into by both clients through a recording proxy, and each client's password
/// grant must carry exactly the masterPasswordHash that the protocol document computed independently.
/// </summary>
public sealed class GoldenVectorTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    private const string VectorEmailAsTyped = "  Test.User@Example.com ";
    private const string VectorPassword = "correct horse battery staple";
    private const string VectorMasterPasswordHash = "8AEEbHxCm2lc7xB4rDSd7kTuEFYiwVr9OP7XJIuDWno=";

    [Fact]
    public async Task VectorAccount_BothClientsSendTheProtocolsMasterPasswordHash_AndBwLoginSucceeds()
    {
        var account = new TestAccount(VectorEmailAsTyped, VectorPassword);
        await using var proxy = new RecordingProxy(fixture.Certificates, fixture.Server.BaseAddress);
        var coffer = fixture.NewCoffer(account);
        var bw = fixture.NewBw(account);
        var expectedField = "password=" + Uri.EscapeDataString(VectorMasterPasswordHash);

        await coffer.RegisterAsync(proxy.Url);
        await coffer.LoginAsync(proxy.Url);
        var cofferRequests = proxy.TakeRequests();
        await bw.LoginAsync(proxy.Url);
        var bwRequests = proxy.TakeRequests();
        await bw.OkAsync("bw sync --force", "sync", "--force");
        var status = await bw.JsonAsync("bw status", "status");

        Assert.True(cofferRequests.Contains("grant_type=password", StringComparison.Ordinal), $"coffer sent no password grant:\n{cofferRequests}");
        Assert.True(cofferRequests.Contains(expectedField, StringComparison.Ordinal), $"coffer's requests lack {expectedField}:\n{cofferRequests}");
        Assert.True(bwRequests.Contains("grant_type=password", StringComparison.Ordinal), $"bw sent no password grant:\n{bwRequests}");
        Assert.True(bwRequests.Contains(expectedField, StringComparison.Ordinal), $"bw's requests lack {expectedField}:\n{bwRequests}");
        Assert.Equal("unlocked", status.Text("status"));
        Assert.Equal("test.user@example.com", status.Text("userEmail"));
    }
}
