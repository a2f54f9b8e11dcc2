namespace Coffer.Client.Generators;

/// <summary>A generated password or passphrase and its entropy in bits, assuming the attacker knows the options.</summary>
public sealed record GeneratedSecret(string Value, double EntropyBits);
