using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;
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
    [InlineData("Host=127.0.0.1;Database=coffer;Password=hunter2-secret;Colour=blue")]
    [InlineData("postgresql://coffer:hunter2-secret@127.0.0.1/coffer?colour=blue")]
    [InlineData("postgresql://coffer:hunter2-secret@127.0.0.1:99999/coffer")]
    [InlineData("Host=127.0.0.1;Password=hunter2-secret")]
    [InlineData("Database=coffer;Password=hunter2-secret")]
    [InlineData("hunter2-secret")]
    public async Task MalformedDatabase_StopsTheServerAtStart_NamingTheKeyButNotTheValue(string value)
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Database"] = value;
        server.Settings["Coffer:JwtSigningKey"] = Convert.ToBase64String(new byte[32]);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("Coffer:Database", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresWithoutASigningKey_StopsTheServerAtStart()
    {
        // Each node would otherwise generate its own key, and tokens from one would fail on the others.
        await using var server = new CofferFactory();
        server.Settings["Coffer:Database"] = "Host=127.0.0.1;Database=coffer";
        server.Settings["Coffer:JwtSigningKey"] = null;

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("Coffer:JwtSigningKey", error.Message, StringComparison.Ordinal);
    }
}
