namespace Coffer.E2E.Tests.Harness;

/// <summary>An account that exists only for one test, so tests never depend on each other's data or order.</summary>
public sealed record TestAccount(string Email, string Password)
{
    public static TestAccount CreateUnique() =>
        new($"e2e-{Guid.NewGuid():N}@coffer.test", $"Correct-Horse-{Guid.NewGuid():N}");
}
