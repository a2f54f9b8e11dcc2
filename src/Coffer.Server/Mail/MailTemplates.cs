using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Coffer.Server.Mail;

/// <summary>
/// The mail Coffer writes, one template per kind in <c>Mail/Templates/</c> (embedded in the binary), in Liquid
/// (the Fluid library):
/// <list type="bullet">
/// <item><c>{name}.txt</c>: the first line is the subject, the rest (after one blank line) the plain-text part;</item>
/// <item><c>{name}.html</c>: the HTML part's body, placed into <c>_layout.html</c> (its <c>{{ content }}</c>).</item>
/// </list>
/// Values are strings only; the HTML part encodes every one of them, the text part none. Every template sees
/// <c>server_name</c> ("Coffer") and <c>vault_url</c> (the web vault's address, with no trailing slash, when known:
/// <see cref="Mailer"/>). No template may show a secret or vault content: links carry expiring tokens at most.
/// </summary>
public static class MailTemplates
{
    private static readonly FluidParser Parser = new();
    private static readonly ConcurrentDictionary<string, IFluidTemplate> Parsed = new(StringComparer.Ordinal);

    /// <summary>Every template name found in the binary (files ending in <c>.txt</c>), for tests that render each.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. typeof(MailTemplates).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".txt", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^".txt".Length])
        .Order(StringComparer.Ordinal)];

    private const string Prefix = "Coffer.Server.Mail.Templates.";

    /// <summary>
    /// Renders template <paramref name="name"/> with <paramref name="values"/> (names as used in the template).
    /// Throws <see cref="InvalidOperationException"/> when the template is missing or does not parse: a bug, never input.
    /// </summary>
    public static RenderedMail Render(string name, IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(values);
        var text = Apply(Template(name + ".txt"), values, encoder: null);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var subject = (newline < 0 ? text : text[..newline]).Trim();
        var textBody = newline < 0 ? "" : text[(newline + 1)..].TrimStart('\r', '\n');
        var content = Apply(Template(name + ".html"), values, HtmlEncoder.Default);
        var html = Apply(Template("_layout.html"), new Dictionary<string, string?>(values) { ["content"] = content, ["subject"] = subject }, HtmlEncoder.Default);
        return new RenderedMail(subject, textBody, html);
    }

    private static string Apply(IFluidTemplate template, IReadOnlyDictionary<string, string?> values, TextEncoder? encoder)
    {
        var context = new TemplateContext();
        context.SetValue("server_name", StringValue.Create("Coffer"));
        foreach (var (key, value) in values)
        {
            context.SetValue(key, value is null ? NilValue.Instance : StringValue.Create(value));
        }

        return encoder is null ? template.Render(context) : template.Render(context, encoder);
    }

    private static IFluidTemplate Template(string file) => Parsed.GetOrAdd(file, static file =>
    {
        using var stream = typeof(MailTemplates).Assembly.GetManifestResourceStream(Prefix + file)
            ?? throw new InvalidOperationException($"Mail template {file} is missing from Mail/Templates.");
        using var reader = new StreamReader(stream);
        return Parser.TryParse(reader.ReadToEnd(), out var template, out var error)
            ? template
            : throw new InvalidOperationException($"Mail template {file} does not parse: {error}");
    });
}

/// <summary>A rendered mail: its subject, plain-text part and HTML part.</summary>
public sealed record RenderedMail(string Subject, string Text, string Html);
