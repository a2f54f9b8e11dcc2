using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using MySql.Data.MySqlClient;
using Npgsql;

namespace Coffer.Server.Tests;

/// <summary><c>Coffer:Database</c>: the forms it accepts, and the start failures that name it without echoing it.</summary>
public sealed class DatabaseOptionsTests
{
    [Fact]
    public void PostgresUrl_BecomesTheEquivalentConnectionString()
    {
        var parsed = PostgresConnection.TryParse("postgresql://coffer:p%40ss%3Aword@db.internal:5433/vault?sslmode=verify-full&Timeout=7", out var error);

        Assert.Null(error);
        var builder = new NpgsqlConnectionStringBuilder(parsed);
        Assert.Equal("db.internal", builder.Host);
        Assert.Equal(5433, builder.Port);
        Assert.Equal("coffer", builder.Username);
        Assert.Equal("p@ss:word", builder.Password);
        Assert.Equal("vault", builder.Database);
        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.Equal(7, builder.Timeout);
    }

    [Fact]
    public void PostgresShortUrl_WithoutPortOrPassword_UsesPostgresDefaults()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnection.TryParse("postgres://coffer@127.0.0.1/coffer", out _));

        Assert.Equal(("127.0.0.1", 5432, "coffer", "coffer", (string?)null), (builder.Host, builder.Port, builder.Username, builder.Database, builder.Password));
    }

    [Fact]
    public void ConnectionString_IsTakenAsItIs()
    {
        var parsed = PostgresConnection.TryParse("Host=127.0.0.1;Port=5432;Database=coffer;Username=coffer;Password=secret", out var error);

        Assert.Null(error);
        Assert.Equal("secret", new NpgsqlConnectionStringBuilder(parsed).Password);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=coffer;Password=hunter2-secret;Colour=blue", null, "PostgreSQL")]
    [InlineData("postgresql://coffer:hunter2-secret@127.0.0.1/coffer?colour=blue", null, "PostgreSQL")]
    [InlineData("postgresql://coffer:hunter2-secret@127.0.0.1:99999/coffer", null, "PostgreSQL")]
    [InlineData("Host=127.0.0.1;Password=hunter2-secret", null, "PostgreSQL")]
    [InlineData("Database=coffer;Password=hunter2-secret", null, "PostgreSQL")]
    [InlineData("hunter2-secret", null, "PostgreSQL")]
    [InlineData("Server=127.0.0.1;Password=hunter2-secret", "mysql", "MySQL")]
    [InlineData("Server=127.0.0.1;Database=coffer;Password=hunter2-secret;Colour=blue", "MariaDB", "MySQL")]
    [InlineData("mariadb://coffer:hunter2-secret@127.0.0.1/", null, "MySQL")]
    [InlineData("hunter2-secret", "mysql", "MySQL")]
    public async Task MalformedDatabase_StopsTheServerAtStart_NamingTheKeyButNotTheValue(string value, string? provider, string readAs)
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Database"] = value;
        // The provider of the case (none: PostgreSQL, the default server), whatever the run's own database.
        server.Settings["Coffer:DatabaseProvider"] = provider;
        server.Settings["Coffer:JwtSigningKey"] = Convert.ToBase64String(new byte[32]);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("Coffer:Database", error.Message, StringComparison.Ordinal);
        Assert.Contains($"as {readAs}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresWithoutASigningKey_StopsTheServerAtStart()
    {
        // Each node would otherwise generate its own key, and tokens from one would fail on the others.
        await using var server = new CofferFactory();
        server.Settings["Coffer:Database"] = "Host=127.0.0.1;Database=coffer";
        server.Settings["Coffer:DatabaseProvider"] = null;
        server.Settings["Coffer:JwtSigningKey"] = null;

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("Coffer:JwtSigningKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MySqlUrl_BecomesTheEquivalentConnectionString_WithCoffersDefaults()
    {
        var parsed = MySqlConnectionString.TryParse("mysql://coffer:p%40ss%3Aword@db.internal:3307/my%20vault?SslMode=Required", out var error);

        Assert.Null(error);
        var builder = new MySqlConnectionStringBuilder(parsed);
        Assert.Equal(("db.internal", 3307u, "coffer", "p@ss:word", "my vault"), (builder.Server, builder.Port, builder.UserID, builder.Password, builder.Database));
        Assert.Equal(MySqlSslMode.Required, builder.SslMode);
        Assert.Equal(3u, builder.ConnectionTimeout);
        Assert.Equal("utf8mb4", builder.CharacterSet);
    }

    [Theory]
    [InlineData("mariadb://coffer@127.0.0.1/coffer", "127.0.0.1")]
    [InlineData("MySQL://coffer@[::1]/coffer", "::1")]
    public void MySqlShortUrl_WithoutPortOrPassword_UsesMySqlDefaults(string url, string server)
    {
        var builder = new MySqlConnectionStringBuilder(MySqlConnectionString.TryParse(url, out _));

        Assert.Equal((server, 3306u, "coffer", "coffer", ""), (builder.Server, builder.Port, builder.UserID, builder.Database, builder.Password));
    }

    [Fact]
    public void MySqlUseAffectedRows_IsAlwaysOff_SoConditionalUpdatesCountMatchedRows()
    {
        var builder = new MySqlConnectionStringBuilder(MySqlConnectionString.TryParse("mysql://coffer@127.0.0.1/coffer?UseAffectedRows=true", out _));

        Assert.False(builder.UseAffectedRows);
    }

    [Fact]
    public void MySqlConnectionString_KeepsWhatItSetsItself()
    {
        var parsed = MySqlConnectionString.TryParse("Server=127.0.0.1;Database=coffer;User ID=coffer;Password=secret;Connect Timeout=9;CharSet=utf8mb3", out var error);

        Assert.Null(error);
        var builder = new MySqlConnectionStringBuilder(parsed);
        Assert.Equal(("secret", 9u, "utf8mb3"), (builder.Password, builder.ConnectionTimeout, builder.CharacterSet));
    }

    [Theory]
    [InlineData("mysql://coffer:hunter2-secret@127.0.0.1/", "names no database")]
    [InlineData("mysql://coffer:hunter2-secret@/coffer", "")]
    [InlineData("Server=127.0.0.1;Password=hunter2-secret", "names no database")]
    [InlineData("Database=coffer;Password=hunter2-secret", "names no server")]
    [InlineData("Server=127.0.0.1;Database=coffer;Password=hunter2-secret;Colour=blue", "neither")]
    [InlineData("mysql://coffer:hunter2-secret@127.0.0.1/coffer?colour=blue", "neither")]
    [InlineData("mysql://coffer:hunter2-secret@127.0.0.1:99999/coffer", "neither")]
    [InlineData("hunter2-secret", "neither")]
    public void MalformedMySqlValue_IsRefused_WithoutRepeatingIt(string value, string reason)
    {
        Assert.Null(MySqlConnectionString.TryParse(value, out var error));

        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MySqlWithoutASigningKey_StopsTheServerAtStart()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Database"] = "mysql://coffer@127.0.0.1/coffer";
        server.Settings["Coffer:DatabaseProvider"] = null;
        server.Settings["Coffer:JwtSigningKey"] = null;

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("Coffer:JwtSigningKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oracle")]
    [InlineData("sqlite")]
    public async Task UnknownDatabaseProvider_StopsTheServerAtStart(string provider)
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Database"] = "Server=127.0.0.1;Database=coffer";
        server.Settings["Coffer:DatabaseProvider"] = provider;
        server.Settings["Coffer:JwtSigningKey"] = Convert.ToBase64String(new byte[32]);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("Coffer:DatabaseProvider must be postgres or mysql", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, DatabaseKind.Sqlite)]
    [InlineData(" ", "mysql", DatabaseKind.Sqlite)]
    [InlineData("Host=db;Database=coffer", null, DatabaseKind.Postgres)]
    [InlineData("Host=db;Database=coffer", "PostgreSQL", DatabaseKind.Postgres)]
    [InlineData("postgresql://coffer@db/coffer", null, DatabaseKind.Postgres)]
    [InlineData("Server=db;Database=coffer", "mysql", DatabaseKind.MySql)]
    [InlineData("Server=db;Database=coffer", " MariaDB ", DatabaseKind.MySql)]
    [InlineData("mysql://coffer@db/coffer", null, DatabaseKind.MySql)]
    [InlineData("MARIADB://coffer@db/coffer", "postgres", DatabaseKind.MySql)]
    public void Provider_FollowsTheDatabaseAndTheProviderSetting(string? database, string? provider, DatabaseKind expected)
    {
        var options = new ServerOptions { Database = database, DatabaseProvider = provider };

        Assert.Equal(expected, options.Provider);
        Assert.Equal(expected != DatabaseKind.Sqlite, options.UsesSharedDatabase);
    }
}
