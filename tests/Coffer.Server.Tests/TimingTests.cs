using System.Diagnostics;
using System.Net;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Enumeration by stopwatch: a wrong password for a real account and any password for an unknown e-mail must
/// take about as long, because both run one Argon2id verification (against a dummy hash for the unknown one).
/// The one timed test of the suite: medians of 15 interleaved samples each, after a warm-up, must be within a
/// factor of two. The hash costs tens of milliseconds and an account lookup well under one, so a server that
/// skipped the hash for unknown e-mails would fail by far more than that, while scheduling noise shifts a median
/// by much less.
/// </summary>
public sealed class TimingTests
{
    private const int Samples = 15;

    [Fact]
    public async Task Timing_UnknownVsKnownAccount_WithinTolerance()
    {
        await using var factory = new CofferFactory();
        // Twenty-odd failures on one account would lock it after ten; the lockout is not what is measured here.
        factory.Settings["Coffer:RateLimits:LockoutFailures"] = "1000";
        var account = await TestAccount.CreateAsync(factory);
        var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await MeasureAsync(client, account.Email);
            await MeasureAsync(client, Fake.Email());
        }

        var known = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < Samples; i++)
        {
            // Interleaved, so a slow moment of the machine lands on both series alike.
            known.Add(await MeasureAsync(client, account.Email));
            unknown.Add(await MeasureAsync(client, Fake.Email()));
        }

        var ratio = Median(unknown) / Median(known);
        Assert.True(ratio is >= 0.5 and <= 2.0, $"unknown/known median ratio {ratio:F2} (known {Median(known):F1} ms, unknown {Median(unknown):F1} ms)");
    }

    private static async Task<double> MeasureAsync(HttpClient client, string email)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await AbuseApi.WrongPasswordAsync(client, email);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await response.ExpectStatusAsync(HttpStatusCode.BadRequest);
        return elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
