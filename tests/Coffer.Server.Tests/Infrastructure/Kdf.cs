using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>KDF settings as the client sends them: type 0 = PBKDF2-SHA256, 1 = Argon2id (memory in MiB).</summary>
public sealed record Kdf(int Type, int Iterations, int? Memory = null, int? Parallelism = null)
{
    public static Kdf Pbkdf2 { get; } = new(0, 600_000);

    public static Kdf Argon2id { get; } = new(1, 3, 64, 4);

    /// <summary>The object shape used in <c>masterPasswordAuthentication</c> and <c>masterPasswordUnlock</c>.</summary>
    public JsonObject ToObject()
    {
        var kdf = new JsonObject { ["kdfType"] = Type, ["iterations"] = Iterations };
        if (Memory is not null || Parallelism is not null)
        {
            kdf["memory"] = Memory;
            kdf["parallelism"] = Parallelism;
        }

        return kdf;
    }

    /// <summary>Adds the legacy flat fields (<c>kdf</c>, <c>kdfIterations</c>, …) to a request.</summary>
    public void AddFlatFields(JsonObject request)
    {
        request["kdf"] = Type;
        request["kdfIterations"] = Iterations;
        request["kdfMemory"] = Memory;
        request["kdfParallelism"] = Parallelism;
    }
}
