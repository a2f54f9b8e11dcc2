using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Server.Ciphers;

namespace Coffer.Bench.Micro;

/// <summary>
/// The server's per-item costs: writing one stored cipher into a sync or list response (CipherJson.Write, done
/// 3,000 times for a 3,000-item sync), and validating and serializing one create request.
/// </summary>
public class CipherBenchmarks
{
    private readonly ArrayBufferWriter<byte> output = new(8192);
    private readonly ArrayBufferWriter<byte> scratch = new(4096);
    private Cipher cipher = null!;
    private CipherRequestModel request = null!;
    private Guid userId;

    [GlobalSetup]
    public void Setup()
    {
        using var key = SymmetricKey.Generate();
        request = VaultClient.LoginItem(key, 1);
        userId = Guid.CreateVersion7();
        cipher = new Cipher
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Type = CipherType.Login,
            Data = CipherValidation.Serialize(request),
            CreationDate = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            RevisionDate = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        };
    }

    [Benchmark]
    public int CipherJsonWrite()
    {
        output.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(output);
        CipherJson.Write(writer, cipher, scratch);
        writer.Flush();
        return output.WrittenCount;
    }

    [Benchmark]
    public string? ValidateCreateRequest() => CipherValidation.Validate(request, userId);

    [Benchmark]
    public byte[] SerializeCreateRequest() => CipherValidation.Serialize(request);
}
