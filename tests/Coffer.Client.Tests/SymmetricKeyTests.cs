using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests;

public sealed class SymmetricKeyTests
{
    [Fact]
    public void UserKeyId_MatchesProtocolVector()
    {
        using var key = new SymmetricKey(ProtocolVectors.ProtectedUserKey.UserKeyBytes());

        Assert.Equal(ProtocolVectors.ProtectedUserKey.UserKeyId, key.KeyId);
    }

    [Fact]
    public void EncKeyAndMacKey_AreTheTwoHalvesOfTheKey()
    {
        var bytes = ProtocolVectors.ProtectedUserKey.UserKeyBytes();
        using var key = new SymmetricKey(bytes);

        Assert.Equal(bytes[..32], key.EncKey.ToArray());
        Assert.Equal(bytes[32..], key.MacKey.ToArray());
        Assert.Equal(bytes, key.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(63)]
    [InlineData(65)]
    public void Constructor_WithAKeyThatIsNot64Bytes_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => new SymmetricKey(new byte[length]));
    }

    [Fact]
    public void Generate_GivesDifferentKeysEachTime()
    {
        using var first = SymmetricKey.Generate();
        using var second = SymmetricKey.Generate();

        Assert.NotEqual(first.ToArray(), second.ToArray());
        Assert.Matches("^[0-9a-f]{32}$", first.KeyId);
    }

    [Fact]
    public void Dispose_ZeroesTheKeyBytes()
    {
        var key = new SymmetricKey(ProtocolVectors.ProtectedUserKey.UserKeyBytes());
        var macKey = key.MacKey;

        key.Dispose();

        Assert.All(macKey.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void AnyUseAfterDispose_Throws()
    {
        var key = SymmetricKey.Generate();
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.ToArray());
        Assert.Throws<ObjectDisposedException>(() => key.KeyId);
        Assert.Throws<ObjectDisposedException>(() => key.EncKey.Length);
        Assert.Throws<ObjectDisposedException>(() => EncString.EncryptString("x", key));
    }

    [Fact]
    public void Constructor_CopiesTheBytes()
    {
        var bytes = ProtocolVectors.ProtectedUserKey.UserKeyBytes();
        using var key = new SymmetricKey(bytes);

        bytes[0] = 0xff;

        Assert.Equal(0, key.EncKey[0]);
    }
}
