using System.Globalization;
using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Errors;
using Coffer.Server.Hosting;
using Coffer.Server.Identity;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Abuse;

/// <summary>
/// Request budgets on the routes an attacker guesses against: the token endpoint, prelogin, registration and the
/// two-factor group, each marked where it is mapped with a <see cref="RateLimitPolicy"/>. Each request counts against its client address and, where the request names one, its account
/// (the normalized e-mail, known or not); the first exhausted budget answers <b>429</b> with <c>Retry-After</c>
/// (seconds) and Bitwarden's error JSON. Runs after routing and authentication, before the handler.
/// </summary>
public static class RateLimiting
{
    public static IServiceCollection AddAbuseDefences(this IServiceCollection services)
    {
        services.AddScoped<IAttemptStore, DatabaseAttemptStore>();
        services.AddScoped<LoginLockout>();
        services.AddScoped<Accounts.MasterPasswordProof>();
        return services;
    }

    public static void UseRateLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            var limits = context.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.RateLimits;
            var buckets = await BucketsAsync(context, limits);
            if (buckets.Count > 0)
            {
                var store = context.RequestServices.GetRequiredService<IAttemptStore>();
                foreach (var (key, limit) in buckets)
                {
                    // Stop at the first exhausted budget: requests from a blocked address must not also use up
                    // the account's budget, or one attacker could keep a real user's logins at 429.
                    var result = await store.HitAsync(key, limit.Limit, limit.Window, context.RequestAborted);
                    if (!result.Allowed)
                    {
                        await TooManyRequestsAsync(context, result.RetryAfter);
                        return;
                    }
                }
            }

            await next(context);
        });
    }

    /// <summary>The limiter's 429 as a handler's result, for budgets a handler spends itself (Accounts/MasterPasswordProof).</summary>
    public static IResult TooManyRequests(TimeSpan retryAfter) => new TooManyRequestsResult(retryAfter);

    private static async Task TooManyRequestsAsync(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.RequestServices.GetRequiredService<CofferMetrics>().RateLimited.Add(1);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var message = $"Too many requests. Try again in {seconds} seconds.";
        await BitwardenErrors.WriteErrorAsync(context, message);
    }

    private static async Task<List<(string Key, RateLimit Limit)>> BucketsAsync(HttpContext context, RateLimitOptions limits)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return [];
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<RateLimitPolicy>() is not { } policy)
        {
            return [];
        }

        var ip = ClientAddress.KeyOf(context);
        return policy.Family switch
        {
            RateLimitFamily.Token => await TokenBucketsAsync(request, limits, ip),
            RateLimitFamily.Prelogin => WithAccount([("prelogin-ip:" + ip, limits.PreloginPerIp)], "prelogin-account:", await JsonEmailAsync(request), limits.PreloginPerAccount),
            RateLimitFamily.Registration => WithAccount([("register-ip:" + ip, limits.RegistrationPerIp)], "register-account:", await JsonEmailAsync(request), limits.RegistrationPerAccount),
            // Signed-in routes count against the token's e-mail; send-email-login names it in the body.
            RateLimitFamily.TwoFactor => WithAccount(
                [("2fa-ip:" + ip, limits.TwoFactorPerIp)], "2fa-account:", context.User.FindFirst("email")?.Value ?? await JsonEmailAsync(request), limits.TwoFactorPerAccount),
            RateLimitFamily.SendAccess => [("send-ip:" + ip, limits.SendAccessPerIp)],
            _ => [],
        };
    }

    private static async Task<List<(string Key, RateLimit Limit)>> TokenBucketsAsync(HttpRequest request, RateLimitOptions limits, string ip)
    {
        var form = await FoldedFormAsync(request);
        if (form.GetValueOrDefault("granttype") == "refresh_token")
        {
            return [("refresh-ip:" + ip, limits.RefreshPerIp)];
        }

        if (form.GetValueOrDefault("granttype") == Sends.SendAccessGrant.GrantType)
        {
            // Send recipients guess no account's password: their own budget, shared with the legacy Send routes.
            return [("send-ip:" + ip, limits.SendAccessPerIp)];
        }

        // Every other token request (password grant, or a malformed one) spends the login budget.
        var email = form.GetValueOrDefault("username");
        var buckets = WithAccount([("login-ip:" + ip, limits.LoginPerIp)], "login-account:", email, limits.LoginPerAccount);
        if (!string.IsNullOrEmpty(form.GetValueOrDefault("twofactortoken")))
        {
            buckets = WithAccount([.. buckets, ("2fa-ip:" + ip, limits.TwoFactorPerIp)], "2fa-account:", email, limits.TwoFactorPerAccount);
        }

        return buckets;
    }

    private static List<(string Key, RateLimit Limit)> WithAccount(List<(string Key, RateLimit Limit)> buckets, string prefix, string? email, RateLimit limit)
    {
        if (!string.IsNullOrWhiteSpace(email))
        {
            buckets.Add((prefix + AccountEmail.Normalize(email), limit));
        }

        return buckets;
    }

    /// <summary>
    /// The token form with names folded as <c>TokenEndpoints</c> folds them (case-insensitive, underscores ignored).
    /// ASP.NET Core caches the parsed form, so the handler does not read the body twice. Only the URL-encoded form
    /// the token endpoint accepts is read (RFC 6749 §4.3.2); any other body, or one that cannot be parsed, counts
    /// with no fields and the handler refuses it.
    /// </summary>
    private static async Task<Dictionary<string, string?>> FoldedFormAsync(HttpRequest request)
    {
        var folded = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!TokenEndpoints.IsUrlEncodedForm(request))
        {
            return folded;
        }

        try
        {
            foreach (var (name, value) in await request.ReadFormAsync(request.HttpContext.RequestAborted))
            {
                folded[name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant()] = value.Count == 1 ? value[0] : null;
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // A malformed or oversized form: the handler reads it again and answers 400 or 413 itself.
            folded.Clear();
        }

        return folded;
    }

    /// <summary>
    /// The top-level <c>email</c> of a JSON body (matched case-insensitively, as model binding does; the last one
    /// wins, as in binding), read from a buffered copy that is rewound for the handler. The body is already held to
    /// the route's size limit. Only property names at the top level and that one value are decoded; a body that is
    /// not JSON, not UTF-8, or holds an invalid escape names no account, and model binding then refuses it.
    /// </summary>
    private static async Task<string?> JsonEmailAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            return null;
        }

        request.EnableBuffering();
        try
        {
            using var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy, request.HttpContext.RequestAborted);
            return TopLevelEmail(copy.GetBuffer().AsSpan(0, (int)copy.Length));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            return null;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    private static string? TopLevelEmail(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? email = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Unescaped names are compared as bytes, never decoded; an escaped one is decoded (and may be invalid).
            var isEmail = reader.ValueIsEscaped
                ? string.Equals(reader.GetString(), "email", StringComparison.OrdinalIgnoreCase)
                : System.Text.Ascii.EqualsIgnoreCase(reader.ValueSpan, "email"u8);
            reader.Read();
            if (isEmail)
            {
                // A NUL names no account: no e-mail holds one, and PostgreSQL cannot store it in the budget's key.
                email = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                email = email?.Contains('\0', StringComparison.Ordinal) == true ? null : email;
            }

            reader.Skip();
        }

        return email;
    }

    private sealed class TooManyRequestsResult(TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => TooManyRequestsAsync(httpContext, retryAfter);
    }
}
