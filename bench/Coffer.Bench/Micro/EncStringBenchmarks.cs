using BenchmarkDotNet.Attributes;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Bench.Micro;

/// <summary>
/// Client-side EncString work (a typical 30-character field) and the server-side syntax check that every
/// create and update runs on each encrypted field.
/// </summary>
public class EncStringBenchmarks : IDisposable
{
    private const string Plaintext = "correct horse battery staple 7";
    private SymmetricKey key = null!;
    private EncString encrypted = null!;
    private string serialized = null!;

    [GlobalSetup]
    public void Setup()
    {
        key = SymmetricKey.Generate();
        encrypted = EncString.EncryptString(Plaintext, key);
        serialized = encrypted.ToString();
    }

    [Benchmark]
    public string Encrypt() => EncString.EncryptString(Plaintext, key).ToString();

    [Benchmark]
    public string Decrypt() => encrypted.DecryptString(key);

    [Benchmark]
    public bool TryParse() => EncString.TryParse(serialized, out _);

    [GlobalCleanup]
    public void Dispose()
    {
        key?.Dispose();
        GC.SuppressFinalize(this);
    }
}
