using System.Text;
using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Tests;

public sealed class PhcPasswordHasherTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes(ProtocolVectors.Pbkdf2Account.MasterPasswordHash);

    // Cheap parameters keep the suite fast; the format and the logic do not depend on the cost.
    private static readonly PhcParameters FastArgon2id = new("argon2id", 1, 64, 1);
    private static readonly PhcParameters FastPbkdf2 = new("pbkdf2-sha512", 1_000, 0, 0);

    [Fact]
    public void Defaults_AreTheOwaspRecommendations()
    {
        Assert.Equal(new PhcParameters("argon2id", 2, 19_456, 1), PhcParameters.DefaultArgon2id);
        Assert.Equal(new PhcParameters("pbkdf2-sha512", 210_000, 0, 0), PhcParameters.DefaultPbkdf2Sha512);
    }

    [Fact]
    public void HashArgon2id_WithDefaults_HasThePhcShape_AndVerifies()
    {
        var phc = PhcPasswordHasher.Hash(Secret, PhcParameters.DefaultArgon2id);

        // 16-byte salt → 22 Base64 characters, 32-byte hash → 43, no padding.
        Assert.Matches(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", phc);
        Assert.True(PhcPasswordHasher.Verify(Secret, phc, PhcParameters.DefaultArgon2id, out var needsRehash));
        Assert.False(needsRehash);
    }

    [Fact]
    public void HashPbkdf2_HasThePhcShape_AndVerifies()
    {
        var phc = PhcPasswordHasher.Hash(Secret, FastPbkdf2);

        Assert.Matches(@"^\$pbkdf2-sha512\$i=1000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", phc);
        Assert.True(PhcPasswordHasher.Verify(Secret, phc, FastPbkdf2, out var needsRehash));
        Assert.False(needsRehash);
    }

    [Fact]
    public void DefaultPbkdf2_HasThePhcShape()
    {
        Assert.StartsWith("$pbkdf2-sha512$i=210000$", PhcPasswordHasher.Hash(Secret, PhcParameters.DefaultPbkdf2Sha512), StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_UsesAFreshSaltEachTime()
    {
        Assert.NotEqual(PhcPasswordHasher.Hash(Secret, FastArgon2id), PhcPasswordHasher.Hash(Secret, FastArgon2id));
    }

    [Fact]
    public void Verify_OfTheReferenceImplementationEncodedHash_Succeeds_AndAsksForARehash()
    {
        var password = Encoding.UTF8.GetBytes(ProtocolVectors.ReferenceArgon2id.Password);

        Assert.True(PhcPasswordHasher.Verify(password, ProtocolVectors.ReferenceArgon2id.Encoded, PhcParameters.DefaultArgon2id, out var needsRehash));
        Assert.True(needsRehash);
    }

    [Theory]
    [InlineData("argon2id")]
    [InlineData("pbkdf2-sha512")]
    public void Verify_WithTheWrongSecret_IsFalse(string algorithm)
    {
        var parameters = algorithm == "argon2id" ? FastArgon2id : FastPbkdf2;
        var phc = PhcPasswordHasher.Hash(Secret, parameters);
        var wrong = (byte[])Secret.Clone();
        wrong[0] ^= 0x01;

        Assert.False(PhcPasswordHasher.Verify(wrong, phc, parameters, out var needsRehash));
        Assert.False(needsRehash);
    }

    public static TheoryData<PhcParameters, PhcParameters> ChangedParameters => new()
    {
        { new PhcParameters("argon2id", 1, 64, 1), new PhcParameters("argon2id", 2, 64, 1) },
        { new PhcParameters("argon2id", 1, 64, 1), new PhcParameters("argon2id", 1, 128, 1) },
        { new PhcParameters("argon2id", 1, 64, 1), new PhcParameters("argon2id", 1, 64, 2) },
        { new PhcParameters("argon2id", 2, 128, 1), new PhcParameters("argon2id", 1, 64, 1) },
        { new PhcParameters("pbkdf2-sha512", 1_000, 0, 0), new PhcParameters("pbkdf2-sha512", 2_000, 0, 0) },
        { new PhcParameters("pbkdf2-sha512", 1_000, 0, 0), new PhcParameters("argon2id", 1, 64, 1) },
        { new PhcParameters("argon2id", 1, 64, 1), new PhcParameters("pbkdf2-sha512", 1_000, 0, 0) },
    };

    [Theory]
    [MemberData(nameof(ChangedParameters))]
    public void Verify_WhenTheCurrentParametersChanged_SucceedsAndAsksForARehash(PhcParameters stored, PhcParameters current)
    {
        var phc = PhcPasswordHasher.Hash(Secret, stored);

        Assert.True(PhcPasswordHasher.Verify(Secret, phc, current, out var needsRehash));
        Assert.True(needsRehash);
    }

    public static TheoryData<string> Malformed => new()
    {
        "",
        "argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$m=64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=-64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMa",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc=",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPd",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMa O6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzYWx0$!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzYWx0",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$extra",
        "$pbkdf2-sha512$i=0$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$pbkdf2-sha512$210000$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$pbkdf2-sha256$i=1000$c29tZXNhbHRzYWx0$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$pbkdf2-sha512$i=1000$c29tZXNhbHRzYWx0",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Verify_OfAMalformedPhcString_IsFalse(string phc)
    {
        Assert.False(PhcPasswordHasher.Verify(Secret, phc, FastArgon2id, out var needsRehash));
        Assert.False(needsRehash);
    }

    [Theory]
    [InlineData("scrypt", 1, 64, 1)]
    [InlineData("argon2id", 0, 64, 1)]
    [InlineData("argon2id", 1, 4, 1)]
    [InlineData("argon2id", 1, 64, 0)]
    [InlineData("pbkdf2-sha512", 0, 0, 0)]
    [InlineData("pbkdf2-sha512", 1_000, 64, 0)]
    public void Hash_WithUnusableParameters_Throws(string algorithm, int iterations, int memoryKiB, int parallelism)
    {
        Assert.Throws<ArgumentException>(
            () => PhcPasswordHasher.Hash(Secret, new PhcParameters(algorithm, iterations, memoryKiB, parallelism)));
    }
}
