namespace Coffer.Protocol.Crypto;

/// <summary>
/// Cost parameters for the server-side hash of the (client-computed) master password hash, written into PHC strings.
/// <paramref name="Algorithm"/> is <c>argon2id</c> or <c>pbkdf2-sha512</c>; <paramref name="MemoryKiB"/> and
/// <paramref name="Parallelism"/> are 0 for PBKDF2, which has neither.
/// </summary>
public sealed record PhcParameters(string Algorithm, int Iterations, int MemoryKiB, int Parallelism)
{
    internal const string Argon2idName = "argon2id";
    internal const string Pbkdf2Sha512Name = "pbkdf2-sha512";

    // Upper bounds keep a corrupted or hostile stored string from making one verification allocate gigabytes
    // or spin for minutes; they are far above any sensible setting.
    private const int Argon2MaxIterations = 100;
    private const int Argon2MaxMemoryKiB = 1024 * 1024;
    private const int Argon2MaxParallelism = 64;
    private const int Argon2MinMemoryKiBPerLane = 8;
    private const int Pbkdf2MaxIterations = 10_000_000;

    /// <summary>Argon2id, t = 2, m = 19 456 KiB (19 MiB), p = 1: the OWASP Password Storage Cheat Sheet minimum.</summary>
    public static PhcParameters DefaultArgon2id { get; } = new(Argon2idName, 2, 19_456, 1);

    /// <summary>PBKDF2-HMAC-SHA512 with 210 000 iterations: the OWASP Password Storage Cheat Sheet minimum.</summary>
    public static PhcParameters DefaultPbkdf2Sha512 { get; } = new(Pbkdf2Sha512Name, 210_000, 0, 0);

    /// <summary><see langword="null"/> when the parameters are usable; otherwise what is wrong.</summary>
    internal string? Validate() => Algorithm switch
    {
        Argon2idName when Iterations is < 1 or > Argon2MaxIterations =>
            $"Argon2id iterations must be between 1 and {Argon2MaxIterations}.",
        Argon2idName when Parallelism is < 1 or > Argon2MaxParallelism =>
            $"Argon2id parallelism must be between 1 and {Argon2MaxParallelism}.",
        Argon2idName when MemoryKiB < Argon2MinMemoryKiBPerLane * Parallelism || MemoryKiB > Argon2MaxMemoryKiB =>
            $"Argon2id memory must be between 8 KiB per lane and {Argon2MaxMemoryKiB} KiB.",
        Argon2idName => null,
        Pbkdf2Sha512Name when Iterations is < 1 or > Pbkdf2MaxIterations =>
            $"PBKDF2 iterations must be between 1 and {Pbkdf2MaxIterations}.",
        Pbkdf2Sha512Name when MemoryKiB != 0 || Parallelism != 0 =>
            "PBKDF2 has no memory or parallelism parameter; both must be 0.",
        Pbkdf2Sha512Name => null,
        _ => $"Unknown PHC algorithm \"{Algorithm}\"; use \"{Argon2idName}\" or \"{Pbkdf2Sha512Name}\".",
    };
}
