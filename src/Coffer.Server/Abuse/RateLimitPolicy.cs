namespace Coffer.Server.Abuse;

/// <summary>The request budgets a route spends (<see cref="RateLimiting"/>, limits in <see cref="RateLimitOptions"/>).</summary>
public enum RateLimitFamily
{
    /// <summary><c>/identity/connect/token</c>: the login budget per address and account, or the refresh budget.</summary>
    Token,

    /// <summary>Prelogin: per address and per e-mail named in the body.</summary>
    Prelogin,

    /// <summary>Sign-up: per address and per e-mail named in the body.</summary>
    Registration,

    /// <summary>The two-factor routes: per address and per account (the token's e-mail, else the body's).</summary>
    TwoFactor,

    /// <summary>The legacy anonymous Send access routes: per address, the budget of the <c>send_access</c> grant.</summary>
    SendAccess,
}

/// <summary>
/// Endpoint metadata naming the budget a route spends, attached where the route is mapped
/// (<c>.RateLimited(RateLimitFamily.Token)</c>), so a route added to a limited group is limited too and no list of
/// paths has to be kept in step with the routes. A request that reaches no endpoint (404, 405) spends nothing: no
/// handler runs, so there is nothing to guess against.
/// </summary>
public sealed record RateLimitPolicy(RateLimitFamily Family);

public static class RateLimitPolicyExtensions
{
    /// <summary>Makes every request to <paramref name="builder"/>'s endpoints (except GET, HEAD, OPTIONS) spend <paramref name="family"/>'s budgets.</summary>
    public static TBuilder RateLimited<TBuilder>(this TBuilder builder, RateLimitFamily family)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new RateLimitPolicy(family));
}
