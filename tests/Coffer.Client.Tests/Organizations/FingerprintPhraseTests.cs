using Coffer.Client.Crypto;

namespace Coffer.Client.Tests.Organizations;

public sealed class FingerprintPhraseTests
{
    [Fact]
    public void HashPhrase_GivesTheOfficialClientsOwnTestAnswer()
    {
        // bitwarden/clients key.service.spec.ts "getFingerprint": the fingerprint bytes and their five words.
        var words = FingerprintPhrase.HashPhrase(Convert.FromBase64String(ProtocolVectors.FingerprintPhrase.HashPhraseOnlyFingerprintB64));

        Assert.Equal(ProtocolVectors.FingerprintPhrase.HashPhraseOnlyPhrase, string.Join('-', words));
    }

    [Fact]
    public void Compute_OfTheVectorKeyAndUserId_IsTheVectorPhrase()
    {
        var phrase = FingerprintPhrase.Compute(ProtocolVectors.FingerprintPhrase.UserId, ProtocolVectors.FingerprintPhrase.PublicKeySpkiB64);

        Assert.Equal(ProtocolVectors.FingerprintPhrase.Phrase, phrase);
        Assert.Equal(5, phrase.Split('-').Length);
    }

    [Fact]
    public void Compute_DependsOnTheUserIdAndTheKey()
    {
        var spki = Convert.FromBase64String(ProtocolVectors.FingerprintPhrase.PublicKeySpkiB64);
        var other = (byte[])spki.Clone();
        other[^5] ^= 1;

        Assert.NotEqual(ProtocolVectors.FingerprintPhrase.Phrase, FingerprintPhrase.Compute(Guid.NewGuid().ToString(), spki));
        Assert.NotEqual(ProtocolVectors.FingerprintPhrase.Phrase, FingerprintPhrase.Compute(ProtocolVectors.FingerprintPhrase.UserId, other));
    }

    [Theory]
    [InlineData("predefine-hunting-pastime-enrich-unhearing", true)]
    [InlineData("Predefine Hunting Pastime Enrich Unhearing", true)]
    [InlineData("predefine-hunting-pastime-enrich", false)]
    [InlineData("predefine-hunting-pastime-unhearing-enrich", false)]
    public void Matches_IgnoresCaseAndSeparators_ButNotWordsOrOrder(string typed, bool expected) =>
        Assert.Equal(expected, FingerprintPhrase.Matches("predefine-hunting-pastime-enrich-unhearing", typed));
}
