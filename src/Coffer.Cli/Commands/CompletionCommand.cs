using System.CommandLine;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer completion bash|zsh|fish|pwsh</c>: a shell script that asks coffer itself for completions.
/// System.CommandLine 2.0 answers the <c>[suggest:POSITION] "LINE"</c> directive (the protocol of dotnet-suggest)
/// with one candidate per line, but writes no shell scripts; these are the small shims dotnet-suggest would install,
/// calling coffer directly, so the completions always match the installed version's verbs and options.
/// </summary>
internal static class CompletionCommand
{
    private static readonly Dictionary<string, string> Scripts = new(StringComparer.Ordinal)
    {
        ["bash"] = """
            # coffer completion for bash: add `source <(coffer completion bash)` to ~/.bashrc
            _coffer_complete()
            {
                local IFS=$'\n'
                COMPREPLY=( $(compgen -W "$(coffer "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
            }
            complete -o default -F _coffer_complete coffer
            """,
        ["zsh"] = """
            # coffer completion for zsh: add `source <(coffer completion zsh)` to ~/.zshrc (after compinit)
            _coffer_complete()
            {
                local -a candidates
                candidates=("${(@f)$(coffer "[suggest:${#BUFFER}]" "$BUFFER" 2>/dev/null)}")
                compadd -- $candidates
            }
            compdef _coffer_complete coffer
            """,
        ["fish"] = """
            # coffer completion for fish: `coffer completion fish > ~/.config/fish/completions/coffer.fish`
            function __coffer_complete
                set -l line (commandline -cp)
                coffer "[suggest:"(string length -- $line)"]" "$line" 2>/dev/null
            end
            complete -c coffer -f -a '(__coffer_complete)'
            """,
        ["pwsh"] = """
            # coffer completion for PowerShell: add `coffer completion pwsh | Out-String | Invoke-Expression` to $PROFILE
            Register-ArgumentCompleter -Native -CommandName coffer -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                $line = $commandAst.ToString()
                coffer "[suggest:$cursorPosition]" "$line" 2>$null | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }
            """,
    };

    public static Command Create(CliRunner run)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh, fish or pwsh" };
        shell.AcceptOnlyFromAmong([.. Scripts.Keys]);
        var command = new Command("completion", "Print the shell completion script for bash, zsh, fish or pwsh") { shell };
        command.SetAction(r => run.Sync(r, ctx => ctx.Host.Out.WriteLine(Scripts[r.GetValue(shell)!])));
        return command;
    }
}
