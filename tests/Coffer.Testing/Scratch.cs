namespace Coffer.Testing;

/// <summary>
/// A test's own temporary root: a throwaway CA (so every process it starts serves HTTPS the clients trust) and
/// named sub-folders for data folders, client state and backups. Disposing deletes all of it.
/// </summary>
public sealed class Scratch : IDisposable
{
    private readonly DirectoryInfo root;

    public Scratch(string prefix)
    {
        root = Directory.CreateTempSubdirectory(prefix);
        Certificates = TestCertificates.Create(Folder("tls"));
    }

    public TestCertificates Certificates { get; }

    public string Root => root.FullName;

    /// <summary>The folder <paramref name="name"/> under the root, created if needed.</summary>
    public string Folder(string name) => Directory.CreateDirectory(Path.Combine(root.FullName, name)).FullName;

    public void Dispose()
    {
        Certificates.Dispose();
        root.Delete(recursive: true);
    }
}
