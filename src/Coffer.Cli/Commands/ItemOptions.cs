using System.CommandLine;
using Coffer.Client.Generators;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary>
/// The options of <c>add</c> and <c>edit</c>, one per field of each item type, and how they change an item.
/// An option not given leaves its field as it is; an empty value (<c>--notes ""</c>) removes the field.
/// </summary>
internal sealed class ItemOptions
{
    private static readonly Dictionary<string, UriMatch?> MatchNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["default"] = null,
        ["domain"] = UriMatch.Domain,
        ["host"] = UriMatch.Host,
        ["startswith"] = UriMatch.StartsWith,
        ["exact"] = UriMatch.Exact,
        ["regex"] = UriMatch.RegularExpression,
        ["never"] = UriMatch.Never,
    };

    private readonly List<Option> _loginOnly;

    public ItemOptions()
    {
        _loginOnly = [Password, Generate, Totp, Uri, AddUri, RemoveUri, UriMatchOption];
    }

    public Option<string?> Name { get; } = new("--name") { Description = "Item name" };
    public Option<string?> Notes { get; } = new("--notes");
    public Option<string?> Folder { get; } = new("--folder") { Description = "Folder name or id; \"\" for none" };
    public Option<bool> Favorite { get; } = new("--favorite") { Description = "Mark as a favorite (`--favorite false` unmarks)" };
    public Option<string[]> Field { get; } = new("--field") { Description = "Text custom field NAME=VALUE; repeat for several" };
    public Option<string[]> HiddenField { get; } = new("--hidden-field") { Description = "Hidden custom field NAME=VALUE" };
    public Option<string[]> BooleanField { get; } = new("--boolean-field") { Description = "Boolean custom field NAME=true|false (NAME alone: true)" };
    public Option<string[]> RemoveField { get; } = new("--remove-field") { Description = "Remove the custom fields named NAME" };

    public Option<string?> Username { get; } = new("--username") { Description = "Username (logins and identities)" };
    public Option<string?> Password { get; } = new("--password") { Description = "Password (visible in process lists; prefer --generate)" };
    public Option<bool> Generate { get; } = new("--generate") { Description = "Use a new random 20-character password" };
    public Option<string?> Totp { get; } = new("--totp") { Description = "TOTP secret: Base32, or an otpauth://totp/ URI" };
    public Option<string[]> Uri { get; } = new("--uri") { Description = "Website; repeat for several (edit: replaces the list)" };
    public Option<string[]> AddUri { get; } = new("--add-uri") { Description = "Add a website to the list" };
    public Option<string[]> RemoveUri { get; } = new("--remove-uri") { Description = "Remove a website from the list" };
    public Option<string[]> UriMatchOption { get; } = new("--uri-match")
    {
        Description = "URI=RULE: how URI matches pages: default, domain, host, startswith, exact, regex or never",
    };

    public IReadOnlyList<(Option<string?> Option, Func<CardView, string?, CardView> Set)> Card { get; } =
    [
        (new("--cardholder-name"), (c, v) => c with { CardholderName = v }),
        (new("--brand") { Description = "Visa, Mastercard, Amex, …" }, (c, v) => c with { Brand = v }),
        (new("--number") { Description = "Card number" }, (c, v) => c with { Number = v }),
        (new("--exp-month") { Description = "Expiry month, 1-12" }, (c, v) => c with { ExpMonth = v }),
        (new("--exp-year") { Description = "Expiry year, four digits" }, (c, v) => c with { ExpYear = v }),
        (new("--code") { Description = "Security code (CVV)" }, (c, v) => c with { Code = v }),
    ];

    public IReadOnlyList<(Option<string?> Option, Func<IdentityView, string?, IdentityView> Set)> Identity { get; } =
    [
        (new("--title") { Description = "Mr, Mrs, Ms, Mx, Dr" }, (i, v) => i with { Title = v }),
        (new("--first-name"), (i, v) => i with { FirstName = v }),
        (new("--middle-name"), (i, v) => i with { MiddleName = v }),
        (new("--last-name"), (i, v) => i with { LastName = v }),
        (new("--address1"), (i, v) => i with { Address1 = v }),
        (new("--address2"), (i, v) => i with { Address2 = v }),
        (new("--address3"), (i, v) => i with { Address3 = v }),
        (new("--city"), (i, v) => i with { City = v }),
        (new("--state") { Description = "State or province" }, (i, v) => i with { State = v }),
        (new("--postal-code"), (i, v) => i with { PostalCode = v }),
        (new("--country"), (i, v) => i with { Country = v }),
        (new("--company"), (i, v) => i with { Company = v }),
        (new("--email"), (i, v) => i with { Email = v }),
        (new("--phone"), (i, v) => i with { Phone = v }),
        (new("--ssn") { Description = "Social security number" }, (i, v) => i with { Ssn = v }),
        (new("--passport-number"), (i, v) => i with { PassportNumber = v }),
        (new("--license-number"), (i, v) => i with { LicenseNumber = v }),
    ];

    /// <summary>Adds the options that apply to <paramref name="type"/>, or to every type when null (edit).</summary>
    public void AddTo(Command command, CipherType? type)
    {
        Option[] common = [Name, Notes, Folder, Favorite, Field, HiddenField, BooleanField];
        foreach (var option in common)
        {
            command.Options.Add(option);
        }

        if (type is null)
        {
            command.Options.Add(RemoveField);
        }

        if (type is null or CipherType.Login or CipherType.Identity)
        {
            command.Options.Add(Username);
        }

        if (type is null or CipherType.Login)
        {
            Option[] login = type is null ? [.. _loginOnly] : [Password, Generate, Totp, Uri, UriMatchOption];
            foreach (var option in login)
            {
                command.Options.Add(option);
            }
        }

        foreach (var (option, _) in Card.Where(_ => type is null or CipherType.Card))
        {
            command.Options.Add(option);
        }

        foreach (var (option, _) in Identity.Where(_ => type is null or CipherType.Identity))
        {
            command.Options.Add(option);
        }

        command.Validators.Add(r =>
        {
            if (r.GetValue(Password) is not null && r.GetValue(Generate))
            {
                r.AddError("--password and --generate cannot be used together.");
            }

            foreach (var option in new[] { Field, HiddenField, UriMatchOption })
            {
                foreach (var value in r.GetValue(option) ?? [])
                {
                    if (!value.Contains('=', StringComparison.Ordinal) || value.StartsWith('='))
                    {
                        r.AddError($"{option.Name} takes NAME=VALUE; got '{value}'.");
                    }
                }
            }

            foreach (var value in r.GetValue(UriMatchOption) ?? [])
            {
                if (value.Contains('=', StringComparison.Ordinal) && !MatchNames.ContainsKey(value[(value.LastIndexOf('=') + 1)..]))
                {
                    r.AddError($"Unknown URI match rule in '{value}'; use default, domain, host, startswith, exact, regex or never.");
                }
            }

            foreach (var value in r.GetValue(BooleanField) ?? [])
            {
                if (value.Split('=', 2) is [_, var b] && b is not ("true" or "false"))
                {
                    r.AddError($"--boolean-field takes NAME=true or NAME=false; got '{value}'.");
                }
            }
        });
    }

    /// <summary>
    /// The item with every given option applied. A changed login password goes to the item's history first, as
    /// the Bitwarden clients do on save (at most five entries, newest first).
    /// </summary>
    public VaultItem Apply(VaultItem item, ParseResult r, Func<string, Guid?> folderId, DateTime now)
    {
        CheckApplies(item, r);
        if (r.GetValue(Name) is { } name)
        {
            item = item with { Name = name.Length > 0 ? name : throw CliException.Usage("The name cannot be empty.") };
        }

        item = item with
        {
            Notes = r.GetValue(Notes) ?? item.Notes,
            FolderId = r.GetValue(Folder) is { } folder ? folderId(folder) : item.FolderId,
            Favorite = r.GetResult(Favorite) is { Implicit: false } ? r.GetValue(Favorite) : item.Favorite,
            Fields = Fields(item.Fields, r),
        };
        return item.Type switch
        {
            CipherType.Login => Login(item, r, now),
            CipherType.Card => item with { Card = Card.Aggregate(item.Card ?? new CardView(), (c, t) => r.GetValue(t.Option) is { } v ? t.Set(c, v) : c) },
            CipherType.Identity => item with
            {
                Identity = Identity.Aggregate(
                    (item.Identity ?? new IdentityView()) with { Username = r.GetValue(Username) ?? item.Identity?.Username },
                    (i, t) => r.GetValue(t.Option) is { } v ? t.Set(i, v) : i),
            },
            _ => item,
        };
    }

    private void CheckApplies(VaultItem item, ParseResult r)
    {
        var given = (Option o) => r.GetResult(o) is { Implicit: false };
        var wrong = item.Type switch
        {
            CipherType.Login => Card.Select(c => (Option)c.Option).Concat(Identity.Select(i => i.Option)),
            CipherType.Card => _loginOnly.Append(Username).Concat(Identity.Select(i => i.Option)),
            CipherType.Identity => _loginOnly.Concat(Card.Select(c => c.Option)),
            _ => _loginOnly.Append(Username).Concat(Card.Select(c => c.Option)).Concat(Identity.Select(i => i.Option)),
        };
        if (wrong.FirstOrDefault(given) is { } option)
        {
            throw CliException.Usage($"{option.Name} does not apply to '{item.Name}', which is {TypeName(item.Type)}.");
        }
    }

    private static string TypeName(CipherType type) => type switch
    {
        CipherType.Login => "a login",
        CipherType.SecureNote => "a secure note",
        CipherType.Card => "a card",
        CipherType.Identity => "an identity",
        _ => $"an item of type {(int)type}",
    };

    /// <summary>A field given again replaces the one of that name (and type); new names are appended in order.</summary>
    private List<FieldView> Fields(IReadOnlyList<FieldView> fields, ParseResult r)
    {
        var result = fields.ToList();
        foreach (var name in r.GetValue(RemoveField) ?? [])
        {
            if (result.RemoveAll(f => f.Name == name) == 0)
            {
                throw CliException.NotFound($"The item has no custom field named '{name}'.");
            }
        }

        var given = (r.GetValue(Field) ?? []).Select(v => (Type: 0, Text: v))
            .Concat((r.GetValue(HiddenField) ?? []).Select(v => (Type: 1, Text: v)))
            .Concat((r.GetValue(BooleanField) ?? []).Select(v => (Type: 2, Text: v.Contains('=', StringComparison.Ordinal) ? v : v + "=true")));
        foreach (var (type, text) in given)
        {
            var at = text.IndexOf('=', StringComparison.Ordinal);
            var field = new FieldView(type, text[..at], text[(at + 1)..]);
            var existing = result.FindIndex(f => f.Name == field.Name);
            if (existing >= 0)
            {
                result[existing] = field;
            }
            else
            {
                result.Add(field);
            }
        }

        return result;
    }

    private VaultItem Login(VaultItem item, ParseResult r, DateTime now)
    {
        var login = item.Login ?? new LoginView();
        var history = item.PasswordHistory;
        var password = r.GetValue(Generate) ? PasswordGenerator.Generate(new PasswordOptions()).Value : r.GetValue(Password);
        if (password is not null && password != login.Password)
        {
            if (login.Password is { Length: > 0 } old)
            {
                history = [new PasswordHistoryView(old, now), .. history.Take(4)];
                login = login with { PasswordRevisionDate = now };
            }

            login = login with { Password = password };
        }

        var uris = (r.GetValue(Uri) is { Length: > 0 } replaced ? replaced : login.Uris).Concat(r.GetValue(AddUri) ?? []).ToList();
        foreach (var uri in r.GetValue(RemoveUri) ?? [])
        {
            if (uris.RemoveAll(u => u == uri) == 0)
            {
                throw CliException.NotFound($"'{item.Name}' has no URI '{uri}'.");
            }
        }

        var matches = login.Matches.Where(m => uris.Contains(m.Key)).ToDictionary(StringComparer.Ordinal);
        foreach (var value in r.GetValue(UriMatchOption) ?? [])
        {
            var at = value.LastIndexOf('=');
            var (uri, rule) = (value[..at], MatchNames[value[(at + 1)..]]);
            if (!uris.Contains(uri))
            {
                throw CliException.Usage($"--uri-match names '{uri}', which is not one of the item's URIs.");
            }

            if (rule is { } match)
            {
                matches[uri] = match;
            }
            else
            {
                matches.Remove(uri);
            }
        }

        login = login with
        {
            Username = r.GetValue(Username) ?? login.Username,
            Totp = r.GetValue(Totp) ?? login.Totp,
            Uris = uris,
            Matches = matches,
        };
        return item with { Login = login, PasswordHistory = history };
    }
}
