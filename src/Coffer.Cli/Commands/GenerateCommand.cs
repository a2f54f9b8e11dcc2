using System.CommandLine;
using System.Globalization;
using Coffer.Client.Generators;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer generate</c>: the secret on stdout, its entropy on stderr, so <c>$(coffer generate)</c> captures only the secret.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliRunner run)
    {
        var length = new Option<int>("--length") { Description = "Password length (5-128)", DefaultValueFactory = _ => 20 };
        var passphrase = new Option<bool>("--passphrase") { Description = "Words from the EFF large wordlist instead of characters" };
        var words = new Option<int>("--words") { Description = "Passphrase word count (3-20)", DefaultValueFactory = _ => 6 };
        var separator = new Option<string>("--separator") { Description = "Passphrase word separator", DefaultValueFactory = _ => "-" };
        var capitalize = new Option<bool>("--capitalize") { Description = "Capitalize each passphrase word" };
        var includeNumber = new Option<bool>("--include-number") { Description = "Append a digit to one passphrase word" };
        var noUpper = new Option<bool>("--no-uppercase") { Description = "Leave out A-Z" };
        var noLower = new Option<bool>("--no-lowercase") { Description = "Leave out a-z" };
        var noNumbers = new Option<bool>("--no-numbers") { Description = "Leave out 0-9" };
        var noSpecial = new Option<bool>("--no-special") { Description = "Leave out !@#$%^&*" };
        var avoidAmbiguous = new Option<bool>("--avoid-ambiguous") { Description = "Leave out I, O, l, 0 and 1" };
        // Range checks at parse time make a bad value a usage error (exit 2) rather than a runtime failure.
        AddRange(length, PasswordOptions.MinLength, PasswordOptions.MaxLength);
        AddRange(words, PassphraseOptions.MinWords, PassphraseOptions.MaxWords);
        var command = new Command("generate", "Print a random password or passphrase (entropy in bits goes to stderr)")
        {
            length, passphrase, words, separator, capitalize, includeNumber, noUpper, noLower, noNumbers, noSpecial, avoidAmbiguous,
        };
        command.SetAction(r => run.Sync(r, ctx =>
        {
            var secret = r.GetValue(passphrase)
                ? PassphraseGenerator.Generate(new PassphraseOptions
                {
                    Words = r.GetValue(words),
                    Separator = r.GetValue(separator)!,
                    Capitalize = r.GetValue(capitalize),
                    IncludeNumber = r.GetValue(includeNumber),
                })
                : PasswordGenerator.Generate(Password(r, length, noUpper, noLower, noNumbers, noSpecial, avoidAmbiguous));
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

    internal static PasswordOptions Password(
        ParseResult r, Option<int> length, Option<bool> noUpper, Option<bool> noLower, Option<bool> noNumbers, Option<bool> noSpecial, Option<bool> avoidAmbiguous) => new()
        {
            Length = r.GetValue(length),
            Uppercase = !r.GetValue(noUpper),
            Lowercase = !r.GetValue(noLower),
            Numbers = !r.GetValue(noNumbers),
            Special = !r.GetValue(noSpecial),
            AvoidAmbiguous = r.GetValue(avoidAmbiguous),
        };
}
