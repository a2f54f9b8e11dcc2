using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Api;

/// <summary>KDF settings in the object shape (<c>{kdfType, iterations, memory, parallelism}</c>, protocol §2.1); memory in MiB.</summary>
public sealed record KdfSettingsModel
{
    public KdfType KdfType { get; init; }
    public int Iterations { get; init; }
    public int? Memory { get; init; }
    public int? Parallelism { get; init; }

    public KdfConfig ToConfig() => new(KdfType, Iterations, Memory, Parallelism);

    public static KdfSettingsModel From(KdfConfig kdf)
    {
        ArgumentNullException.ThrowIfNull(kdf);
        return new() { KdfType = kdf.Type, Iterations = kdf.Iterations, Memory = kdf.Memory, Parallelism = kdf.Parallelism };
    }
}

/// <summary><c>POST /identity/accounts/prelogin/password</c> body (protocol §4.2).</summary>
public sealed record PreloginRequestModel
{
    public string? Email { get; init; }
}

/// <summary>Prelogin answer: <c>kdfSettings</c> is what 2026 clients read; the flat fields serve older ones.</summary>
public sealed record PreloginResponseModel
{
    public KdfType Kdf { get; init; }
    public int KdfIterations { get; init; }
    public int? KdfMemory { get; init; }
    public int? KdfParallelism { get; init; }
    public required KdfSettingsModel KdfSettings { get; init; }
    public required string Salt { get; init; }

    public static PreloginResponseModel From(KdfConfig kdf, string salt)
    {
        ArgumentNullException.ThrowIfNull(kdf);
        return new()
        {
            Kdf = kdf.Type,
            KdfIterations = kdf.Iterations,
            KdfMemory = kdf.Memory,
            KdfParallelism = kdf.Parallelism,
            KdfSettings = KdfSettingsModel.From(kdf),
            Salt = salt,
        };
    }
}
