using BenchmarkDotNet.Attributes;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Bench.Micro;

/// <summary>
/// One master key derivation with the default PBKDF2-SHA256 600,000 iterations: the client's cost per log-in and
/// unlock, and the reason the http bench seeds accounts with random keys instead.
/// </summary>
public class KdfBenchmarks
{
    [Benchmark]
    public byte[] Pbkdf2MasterKey600k() =>
        MasterKeys.DeriveMasterKey("correct horse battery staple", "user@example.com", KdfConfig.DefaultPbkdf2);
}
