using Microsoft.Extensions.Options;
using Npgsql;

namespace Coffer.Server.Files;

public static class BlobStorage
{
    /// <summary>Where a SQLite server keeps its files: <c>{data folder}/files</c> (absolute).</summary>
    public static string FilesFolder(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Path.Combine(Path.GetFullPath(options.DataFolder), "files");
    }

    /// <summary>
    /// Registers <see cref="IBlobStore"/> for the configured database (files under <c>{data folder}/files</c> with SQLite,
    /// the database with PostgreSQL), <see cref="ScopedTokens"/> and <see cref="StorageQuota"/>.
    /// </summary>
    public static IServiceCollection AddBlobStorage(this IServiceCollection services)
    {
        services.AddSingleton<IBlobStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ServerOptions>>().Value;
            return options.UsesSharedDatabase
                ? new PostgresBlobStore(provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<TimeProvider>())
                : new FileSystemBlobStore(FilesFolder(options));
        });
        services.AddSingleton<ScopedTokens>();
        services.AddScoped<StorageQuota>();
        return services;
    }
}
