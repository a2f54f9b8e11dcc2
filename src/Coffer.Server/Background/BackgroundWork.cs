namespace Coffer.Server.Background;

/// <summary>The server's periodic work. Filled in by the background branch.</summary>
public static class BackgroundWork
{
    public static IServiceCollection AddBackgroundWork(this IServiceCollection services) => services;
}
