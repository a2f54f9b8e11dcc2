using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Tests;

public sealed class KdfConfigTests
{
    [Fact]
    public void Defaults_AreTheClientDefaultsAndValid()
    {
        Assert.Equal(new KdfConfig(KdfType.Pbkdf2Sha256, 600_000), KdfConfig.DefaultPbkdf2);
        Assert.Equal(new KdfConfig(KdfType.Argon2id, 6, 32, 4), KdfConfig.DefaultArgon2id);
        Assert.Null(KdfConfig.DefaultPbkdf2.Validate());
        Assert.Null(KdfConfig.DefaultArgon2id.Validate());
    }

    public static TheoryData<KdfConfig> Acceptable => new()
    {
        new KdfConfig(KdfType.Pbkdf2Sha256, 600_000),
        new KdfConfig(KdfType.Pbkdf2Sha256, 600_001),
        new KdfConfig(KdfType.Pbkdf2Sha256, 1_999_999),
        new KdfConfig(KdfType.Pbkdf2Sha256, 2_000_000),
        new KdfConfig(KdfType.Argon2id, 2, 64, 4),
        new KdfConfig(KdfType.Argon2id, 10, 64, 4),
        new KdfConfig(KdfType.Argon2id, 3, 15, 4),
        new KdfConfig(KdfType.Argon2id, 3, 16, 4),
        new KdfConfig(KdfType.Argon2id, 3, 1023, 4),
        new KdfConfig(KdfType.Argon2id, 3, 1024, 4),
        new KdfConfig(KdfType.Argon2id, 3, 64, 1),
        new KdfConfig(KdfType.Argon2id, 3, 64, 16),
    };

    [Theory]
    [MemberData(nameof(Acceptable))]
    public void Validate_AcceptsParametersJustInsideEachBound(KdfConfig kdf)
    {
        Assert.Null(kdf.Validate());
    }

    public static TheoryData<KdfConfig, string> Refused => new()
    {
        { new KdfConfig(KdfType.Pbkdf2Sha256, 599_999), "iterations" },
        { new KdfConfig(KdfType.Pbkdf2Sha256, 2_000_001), "iterations" },
        { new KdfConfig(KdfType.Pbkdf2Sha256, 5_000), "iterations" },
        { new KdfConfig(KdfType.Pbkdf2Sha256, 0), "iterations" },
        { new KdfConfig(KdfType.Pbkdf2Sha256, -600_000), "iterations" },
        { new KdfConfig(KdfType.Pbkdf2Sha256, 600_000, Memory: 64), "memory" },
        { new KdfConfig(KdfType.Pbkdf2Sha256, 600_000, Parallelism: 4), "parallelism" },
        { new KdfConfig(KdfType.Argon2id, 1, 64, 4), "iterations" },
        { new KdfConfig(KdfType.Argon2id, 11, 64, 4), "iterations" },
        { new KdfConfig(KdfType.Argon2id, 3, 14, 4), "memory" },
        { new KdfConfig(KdfType.Argon2id, 3, 1025, 4), "memory" },
        { new KdfConfig(KdfType.Argon2id, 3, null, 4), "memory" },
        { new KdfConfig(KdfType.Argon2id, 3, 64, 0), "parallelism" },
        { new KdfConfig(KdfType.Argon2id, 3, 64, 17), "parallelism" },
        { new KdfConfig(KdfType.Argon2id, 3, 64, null), "parallelism" },
        { new KdfConfig((KdfType)2, 600_000), "type" },
        { new KdfConfig((KdfType)(-1), 600_000), "type" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Validate_RefusesParametersJustOutsideEachBound_NamingTheParameter(KdfConfig kdf, string parameter)
    {
        var message = kdf.Validate();

        Assert.NotNull(message);
        Assert.Contains(parameter, message, StringComparison.OrdinalIgnoreCase);
    }
}
