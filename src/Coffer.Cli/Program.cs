using Coffer.Cli;

return await CofferCli.RunAsync(args, CliHost.System());
