namespace Coffer.Server.Tests;

/// <summary>
/// The server depends on the protocol, never on the client: it must not be able to derive keys from a master
/// password or decrypt vault data even by mistake, so Coffer.Client (key derivation, vault crypto, the typed
/// client, generators) stays out of its references.
/// </summary>
public sealed class ServerReferenceTests
{
    [Fact]
    public void Server_ReferencesTheProtocolAssembly_AndNotTheClient()
    {
        var references = typeof(Program).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Coffer.Protocol", references);
        Assert.DoesNotContain(references, name => name is not null && name.StartsWith("Coffer.", StringComparison.Ordinal) && name != "Coffer.Protocol");
    }

    [Fact]
    public void ServerProject_HasOneProjectReference_ToCofferProtocol()
    {
        var project = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "src", "Coffer.Server", "Coffer.Server.csproj"));
        var references = project.Descendants("ProjectReference").Select(r => r.Attribute("Include")?.Value).ToList();

        Assert.Equal(["../Coffer.Protocol/Coffer.Protocol.csproj"], references);
    }
}
