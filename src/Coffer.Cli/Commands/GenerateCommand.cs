using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Coffer.Client.Generators;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer generate</c> with <c>bw generate</c>'s options: the secret on stdout, its entropy on stderr, so
/// <c>$(coffer generate)</c> captures only the secret. Without any of <c>-u -l -n -s</c> every class is used
/// (minus the <c>--no-*</c> ones) and the length is 20, Coffer's default; <c>bw</c>'s is <c>-uln --length 14</c>.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create(CliRunner run)
    {
        var length = new Option<int>("--length") { Description = "Password length (5-128)", DefaultValueFactory = _ => 20 };
        var upper = new Option<bool>("--uppercase", "-u") { Description = "Include A-Z (with -l -n -s: only the classes named)" };
        var lower = new Option<bool>("--lowercase", "-l") { Description = "Include a-z" };
        var number = new Option<bool>("--number", "-n") { Description = "Include 0-9" };
        var special = new Option<bool>("--special", "-s") { Description = "Include !@#$%^&*" };
        var minNumber = new Option<int>("--minNumber", "--min-number") { Description = "At least this many digits", DefaultValueFactory = _ => 1 };
        var minSpecial = new Option<int>("--minSpecial", "--min-special") { Description = "At least this many special characters", DefaultValueFactory = _ => 1 };
        var passphrase = new Option<bool>("--passphrase", "-p") { Description = "Words from the EFF large wordlist instead of characters" };
        var words = new Option<int>("--words") { Description = "Passphrase word count (3-20)", DefaultValueFactory = _ => 6 };
        var separator = new Option<string>("--separator") { Description = "Passphrase word separator: one character, `space` or `empty`", DefaultValueFactory = _ => "-" };
        var capitalize = new Option<bool>("--capitalize", "-c") { Description = "Capitalize each passphrase word" };
        var includeNumber = new Option<bool>("--include-number", "--includeNumber") { Description = "Append a digit to one passphrase word" };
        var noUpper = new Option<bool>("--no-uppercase") { Description = "Leave out A-Z" };
        var noLower = new Option<bool>("--no-lowercase") { Description = "Leave out a-z" };
        var noNumbers = new Option<bool>("--no-numbers") { Description = "Leave out 0-9" };
        var noSpecial = new Option<bool>("--no-special") { Description = "Leave out !@#$%^&*" };
        var avoidAmbiguous = new Option<bool>("--avoid-ambiguous", "--ambiguous") { Description = "Leave out I, O, l, 0 and 1" };
        var json = new Option<bool>("--json") { Description = "Print {\"type\", \"value\", \"entropyBits\"} as JSON" };

        // Range checks at parse time make a bad value a usage error (exit 2) rather than a runtime failure.
        AddRange(length, PasswordOptions.MinLength, PasswordOptions.MaxLength);
        AddRange(words, PassphraseOptions.MinWords, PassphraseOptions.MaxWords);
        AddRange(minNumber, 0, 9);
        AddRange(minSpecial, 0, 9);
        var command = new Command("generate", "Print a random password or passphrase (entropy in bits goes to stderr)")
        {
            upper, lower, number, special, length, minNumber, minSpecial, passphrase, words, separator, capitalize, includeNumber,
            noUpper, noLower, noNumbers, noSpecial, avoidAmbiguous, json,
        };
        foreach (var (with, without) in new[] { (upper, noUpper), (lower, noLower), (number, noNumbers), (special, noSpecial) })
        {
            command.Validators.Add(r =>
            {
                if (r.GetValue(with) && r.GetValue(without))
                {
                    r.AddError($"{with.Name} and {without.Name} cannot be used together.");
                }
            });
        }

        command.SetAction(r => run.Sync(r, ctx =>
        {
            var isPassphrase = r.GetValue(passphrase);
            var named = r.GetValue(upper) || r.GetValue(lower) || r.GetValue(number) || r.GetValue(special);
            var secret = isPassphrase
                ? PassphraseGenerator.Generate(new PassphraseOptions
                {
                    Words = r.GetValue(words),
                    Separator = r.GetValue(separator) switch { "space" => " ", "empty" => "", var s => s! },
                    Capitalize = r.GetValue(capitalize),
                    IncludeNumber = r.GetValue(includeNumber),
                })
                : PasswordGenerator.Generate(new PasswordOptions
                {
                    Length = r.GetValue(length),
                    Uppercase = named ? r.GetValue(upper) : !r.GetValue(noUpper),
                    Lowercase = named ? r.GetValue(lower) : !r.GetValue(noLower),
                    Numbers = named ? r.GetValue(number) : !r.GetValue(noNumbers),
                    Special = named ? r.GetValue(special) : !r.GetValue(noSpecial),
                    AvoidAmbiguous = r.GetValue(avoidAmbiguous),
                    MinNumbers = r.GetValue(minNumber),
                    MinSpecial = r.GetValue(minSpecial),
                });
            if (r.GetValue(json))
            {
                ctx.Host.Out.WriteLine(new JsonObject
                {
                    ["type"] = isPassphrase ? "passphrase" : "password",
                    ["value"] = secret.Value,
                    ["entropyBits"] = Math.Round(secret.EntropyBits, 1),
                }.ToJsonString(ItemCommands.Json));
                return;
            }

            ctx.Host.Out.WriteLine(secret.Value);
            ctx.Host.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Entropy: {secret.EntropyBits:F1} bits"));
        }));
        return command;
    }

    private static void AddRange(Option<int> option, int min, int max) => option.Validators.Add(r =>
    {
        // Read the token rather than the value: a non-number is already a conversion error, and reading the
        // value of a failed conversion throws.
        if (r.Tokens is [var token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && (value < min || value > max))
        {
            r.AddError($"{option.Name} must be between {min} and {max}.");
        }
    });
}
