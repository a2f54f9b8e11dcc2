namespace Coffer.Protocol.Crypto;

/// <summary>
/// KDF parameters of an account, as they travel on the wire (protocol §2.1).
/// <paramref name="Memory"/> is in MiB; <paramref name="Memory"/> and <paramref name="Parallelism"/> are
/// <see langword="null"/> for PBKDF2.
/// </summary>
public sealed record KdfConfig(KdfType Type, int Iterations, int? Memory = null, int? Parallelism = null)
{
    private const int Pbkdf2MinIterations = 600_000;
    private const int Pbkdf2MaxIterations = 2_000_000;
    private const int Argon2MinIterations = 2;
    private const int Argon2MaxIterations = 10;

    // 15 MiB is Vaultwarden's floor (set_kdf_data); the Bitwarden client's own floor is 16. Accepting 15 keeps
    // accounts migrated from Vaultwarden usable.
    private const int Argon2MinMemoryMiB = 15;
    private const int Argon2MaxMemoryMiB = 1024;
    private const int Argon2MinParallelism = 1;
    private const int Argon2MaxParallelism = 16;

    /// <summary>PBKDF2-SHA256 with 600 000 iterations, the client default of 2026.9.0.</summary>
    public static KdfConfig DefaultPbkdf2 { get; } = new(KdfType.Pbkdf2Sha256, 600_000);

    /// <summary>Argon2id with t = 6, m = 32 MiB, p = 4, the client default of 2026.9.0.</summary>
    public static KdfConfig DefaultArgon2id { get; } = new(KdfType.Argon2id, 6, 32, 4);

    /// <summary>
    /// Checks the parameters against what a Coffer account may use.
    /// </summary>
    /// <returns><see langword="null"/> when acceptable; otherwise an English message naming the bad parameter.</returns>
    public string? Validate() => Type switch
    {
        KdfType.Pbkdf2Sha256 => ValidatePbkdf2(),
        KdfType.Argon2id => ValidateArgon2id(),
        _ => $"KDF type {(int)Type} is not supported; use 0 (PBKDF2-SHA256) or 1 (Argon2id).",
    };

    /// <summary>
    /// Whether a parameter is below the minimum <see cref="Validate"/> accepts (PBKDF2 iterations &lt; 600,000; Argon2id
    /// t &lt; 2, m &lt; 15 MiB or p &lt; 1, or m/p missing), or the type is unknown. Clients refuse such a KDF before hashing
    /// the password (malicious-server.md BW07): a Coffer server never keeps an account below it.
    /// </summary>
    public bool IsBelowMinimum() => Type switch
    {
        KdfType.Pbkdf2Sha256 => Iterations < Pbkdf2MinIterations,
        KdfType.Argon2id => Iterations < Argon2MinIterations || Memory is not >= Argon2MinMemoryMiB || Parallelism is not >= Argon2MinParallelism,
        _ => true,
    };

    private string? ValidatePbkdf2()
    {
        if (Iterations is < Pbkdf2MinIterations or > Pbkdf2MaxIterations)
        {
            return $"PBKDF2 iterations must be between {Pbkdf2MinIterations} and {Pbkdf2MaxIterations} (got {Iterations}).";
        }

        if (Memory is not null)
        {
            return "PBKDF2 takes no memory parameter; memory must be null.";
        }

        return Parallelism is not null ? "PBKDF2 takes no parallelism parameter; parallelism must be null." : null;
    }

    private string? ValidateArgon2id()
    {
        if (Iterations is < Argon2MinIterations or > Argon2MaxIterations)
        {
            return $"Argon2id iterations must be between {Argon2MinIterations} and {Argon2MaxIterations} (got {Iterations}).";
        }

        if (Memory is not { } memory)
        {
            return "Argon2id needs a memory parameter (MiB).";
        }

        if (memory is < Argon2MinMemoryMiB or > Argon2MaxMemoryMiB)
        {
            return $"Argon2id memory must be between {Argon2MinMemoryMiB} and {Argon2MaxMemoryMiB} MiB (got {memory}).";
        }

        if (Parallelism is not { } parallelism)
        {
            return "Argon2id needs a parallelism parameter.";
        }

        return parallelism is < Argon2MinParallelism or > Argon2MaxParallelism
            ? $"Argon2id parallelism must be between {Argon2MinParallelism} and {Argon2MaxParallelism} (got {parallelism})."
            : null;
    }
}
