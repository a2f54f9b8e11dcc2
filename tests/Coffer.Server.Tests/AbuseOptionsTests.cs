using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Tests;

/// <summary>Settings that would weaken or break the defences stop the server at start, naming the setting.</summary>
public sealed class AbuseOptionsTests
{
    [Theory]
    [InlineData("Coffer:RateLimits:LoginPerIp:Limit", "0", "Coffer:RateLimits:LoginPerIp")]
    [InlineData("Coffer:RateLimits:TwoFactorPerAccount:WindowSeconds", "0", "Coffer:RateLimits:TwoFactorPerAccount")]
    [InlineData("Coffer:RateLimits:RegistrationPerIp:WindowSeconds", "100000", "Coffer:RateLimits:RegistrationPerIp")]
    [InlineData("Coffer:RateLimits:LockoutFailures", "1", "Coffer:RateLimits:LockoutFailures")]
    [InlineData("Coffer:RateLimits:LockoutMinutes", "0", "Coffer:RateLimits:LockoutFailures")]
    [InlineData("Coffer:TrustedProxies:0", "not-an-address", "Coffer:TrustedProxies")]
    [InlineData("Coffer:TrustedProxies:0", "10.0.0.0/99", "Coffer:TrustedProxies")]
    [InlineData("Coffer:Cors:AllowedOrigins:0", "*", "Coffer:Cors:AllowedOrigins")]
    [InlineData("Coffer:Cors:AllowedOrigins:0", "https://vault.example.com/path", "Coffer:Cors:AllowedOrigins")]
    [InlineData("Coffer:Cors:AllowedOrigins:0", "https://vault.example.com/", "Coffer:Cors:AllowedOrigins")]
    public async Task InvalidSetting_StopsTheServerAtStart(string key, string value, string named)
    {
        await using var server = new CofferFactory();
        server.Settings[key] = value;

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidProxyAndOriginSettings_Start()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:TrustedProxies:0"] = "127.0.0.1";
        server.Settings["Coffer:TrustedProxies:1"] = "172.16.0.0/12";
        server.Settings["Coffer:Cors:AllowedOrigins:0"] = "moz-extension://1c3a6b4e-7d0e-4f6a-9a39-0b8e7b2c5d11";
        server.Settings["Coffer:RateLimits:LoginPerIp:Limit"] = "5";

        using var response = await server.CreateClient().GetAsync("/alive");

        await response.ExpectStatusAsync(System.Net.HttpStatusCode.OK);
    }
}
