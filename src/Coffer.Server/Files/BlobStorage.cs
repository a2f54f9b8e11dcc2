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
    /// the database with PostgreSQL, MySQL or MariaDB), <see cref="ScopedTokens"/> and <see cref="StorageQuota"/>.
    /// </summary>
    public static IServiceCollection AddBlobStorage(this IServiceCollection services)
    {
        services.AddSingleton<IBlobStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ServerOptions>>().Value;
            return options.Provider switch
            {
                DatabaseKind.Postgres => DatabaseBlobStore.Postgres(provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<TimeProvider>()),
                DatabaseKind.MySql => DatabaseBlobStore.MySql(
                    Data.MySqlConnectionString.TryParse(options.Database!, out _) ?? throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), ["Coffer:Database is not a valid MySQL connection string or URL."]),
                    provider.GetRequiredService<TimeProvider>()),
                _ => new FileSystemBlobStore(FilesFolder(options)),
            };
        });
        services.AddSingleton<ScopedTokens>();
        services.AddScoped<StorageQuota>();
        return services;
    }
}
