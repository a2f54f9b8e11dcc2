namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// A class fixture: a Coffer server (<see cref="Factory"/>) that sends its mail to a real SMTP server of its own
/// (<see cref="Sink"/>, <see cref="MailSink"/>). Subclass and override <see cref="Configure"/> for more settings
/// (<c>Coffer:Registration:VerifyEmail</c>, <c>Coffer:PublicUrl</c>, …).
/// </summary>
public class MailServer : IAsyncLifetime, IDisposable
{
    public CofferFactory Factory { get; } = new();

    public MailSink Sink { get; private set; } = null!;

    /// <summary>Settings applied before the server starts, after the sink's.</summary>
    protected virtual void Configure(CofferFactory factory)
    {
    }

    public async Task InitializeAsync()
    {
        Sink = await MailSink.StartAsync();
        foreach (var (key, value) in Sink.Settings)
        {
            Factory.Settings[key] = value;
        }

        Configure(Factory);
        Factory.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Sink.DisposeAsync();
    }

    public void Dispose()
    {
        Factory.Dispose();
        GC.SuppressFinalize(this);
    }
}
