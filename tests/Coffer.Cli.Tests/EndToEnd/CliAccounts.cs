using Coffer.Cli.Tests.Cli;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>A fresh account for one test: the master password is in the environment variable MP, for --passwordenv.</summary>
internal static class CliAccounts
{
    public const string Password = "correct horse battery staple";

    public static async Task<string> LoginNewAccountAsync(CliRun cli, Uri server)
    {
        var email = $"user-{Guid.NewGuid():N}@example.com";
        cli.SetEnvironment("MP", Password);
        await cli.OkAsync("config", "server", server.ToString());
        await cli.OkAsync("register", email, "--name", "Test", "--passwordenv", "MP");
        await cli.OkAsync("login", email, "--passwordenv", "MP");
        return email;
    }
}
