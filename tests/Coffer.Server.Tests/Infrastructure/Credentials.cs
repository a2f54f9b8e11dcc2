namespace Coffer.Server.Tests.Infrastructure;

/// <summary>What a client would hold for one account: all random, all in the right shape.</summary>
public sealed record Credentials(
    string Email,
    string Name,
    string MasterPasswordHash,
    Kdf Kdf,
    string UserKey,
    string PublicKey,
    string PrivateKey)
{
    public static Credentials New(Kdf? kdf = null, string? email = null) => new(
        email ?? Fake.Email(),
        "Test User",
        Fake.MasterPasswordHash(),
        kdf ?? Kdf.Pbkdf2,
        Fake.EncString(),
        Fake.PublicKey,
        Fake.EncString());

    /// <summary>The salt the client derives from the e-mail: trimmed and lowercased.</summary>
    public string Salt => Email.Trim().ToLowerInvariant();
}
