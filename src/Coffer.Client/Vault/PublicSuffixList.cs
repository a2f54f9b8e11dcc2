using System.Globalization;

namespace Coffer.Client.Vault;

/// <summary>
/// The ICANN section of the Public Suffix List (https://publicsuffix.org/list/), for the base domain of a host
/// as Bitwarden's URI matching computes it (tldts' <c>getDomain</c> without private domains, so
/// <c>alice.github.io</c> has the base domain <c>github.io</c>).
/// </summary>
/// <remarks>
/// The CLI never fetches the list: <see cref="Default"/> reads the copy the system keeps up to date
/// (<c>/usr/share/publicsuffix/public_suffix_list.dat</c>, Debian's and Fedora's <c>publicsuffix</c> package), or
/// the file named by <c>COFFER_PUBLIC_SUFFIX_LIST</c>, and falls back to a short built-in list of the most used
/// two-label suffixes (co.uk, com.au, …). With the fallback a rarer suffix is read as one label, so
/// <c>a.example.gov.pl</c> and <c>b.other.gov.pl</c> would both have the base domain <c>gov.pl</c>.
/// </remarks>
public sealed class PublicSuffixList
{
    public const string SystemPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    // Two-label ICANN suffixes under the most used country codes, for systems without the list.
    private const string BuiltIn = """
        // ===BEGIN ICANN DOMAINS===
        ac.uk co.uk gov.uk ltd.uk me.uk net.uk nhs.uk org.uk plc.uk sch.uk
        com.au net.au org.au edu.au gov.au id.au asn.au
        co.nz net.nz org.nz govt.nz ac.nz geek.nz school.nz
        co.jp ne.jp or.jp ac.jp go.jp ad.jp ed.jp gr.jp lg.jp
        co.za org.za gov.za ac.za net.za
        com.br net.br org.br gov.br edu.br
        com.cn net.cn org.cn gov.cn edu.cn ac.cn
        com.hk net.hk org.hk gov.hk edu.hk
        com.tw net.tw org.tw gov.tw edu.tw
        co.kr or.kr ne.kr go.kr ac.kr
        co.in net.in org.in gov.in ac.in firm.in gen.in ind.in
        com.mx net.mx org.mx gob.mx edu.mx
        com.ar net.ar org.ar gob.ar
        com.tr net.tr org.tr gov.tr edu.tr
        com.sg net.sg org.sg gov.sg edu.sg
        co.il org.il net.il ac.il gov.il
        com.pl net.pl org.pl gov.pl
        co.id or.id ac.id go.id web.id
        com.my net.my org.my gov.my edu.my
        co.th or.th ac.th go.th in.th
        com.ua net.ua org.ua gov.ua
        com.ru net.ru org.ru
        com.es nom.es org.es gob.es edu.es
        co.at or.at ac.at gv.at
        com.sa net.sa org.sa gov.sa edu.sa
        com.eg net.eg org.eg gov.eg edu.eg
        com.ng org.ng gov.ng edu.ng
        co.ke or.ke ac.ke go.ke
        com.ph net.ph org.ph gov.ph edu.ph
        com.vn net.vn org.vn gov.vn edu.vn
        com.pk net.pk org.pk gov.pk edu.pk
        com.co net.co org.co gov.co edu.co
        com.pe net.pe org.pe gob.pe edu.pe
        com.cl gob.cl
        // ===END ICANN DOMAINS===
        """;

    private static readonly Lazy<PublicSuffixList> Loaded = new(() => Load(Environment.GetEnvironmentVariable("COFFER_PUBLIC_SUFFIX_LIST") ?? SystemPath));

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    private PublicSuffixList()
    {
    }

    /// <summary>The system's list when it has one, else the built-in fallback (see the remarks).</summary>
    public static PublicSuffixList Default => Loaded.Value;

    /// <summary>True when <see cref="Default"/> is the short built-in list rather than a full one from disk.</summary>
    public bool IsFallback { get; private set; }

    /// <summary>The list in a file, or the built-in fallback when the file cannot be read.</summary>
    public static PublicSuffixList Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var fallback = Parse(BuiltIn);
            fallback.IsFallback = true;
            return fallback;
        }
    }

    /// <summary>
    /// Reads the list's text format: one rule per line, <c>//</c> comments, <c>*.</c> wildcards and <c>!</c>
    /// exceptions; only rules between the ICANN markers count. Unicode rules are stored in their ASCII (IDNA) form,
    /// the form <see cref="Uri.IdnHost"/> gives.
    /// </summary>
    public static PublicSuffixList Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new PublicSuffixList();
        var idn = new IdnMapping();
        var inIcann = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("//", StringComparison.Ordinal))
            {
                inIcann = line.Contains("===BEGIN ICANN DOMAINS===", StringComparison.Ordinal)
                    || (inIcann && !line.Contains("===END ICANN DOMAINS===", StringComparison.Ordinal));
                continue;
            }

            if (!inIcann)
            {
                continue;
            }

            foreach (var token in line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                string rule;
                try
                {
                    rule = idn.GetAscii(token.TrimStart('!', '*', '.')).ToLowerInvariant();
                }
                catch (ArgumentException)
                {
                    continue;
                }

                _ = token[0] switch
                {
                    '!' => list._exceptions.Add(rule),
                    '*' => list._wildcards.Add(rule),
                    _ => list._rules.Add(rule),
                };
            }
        }

        return list;
    }

    /// <summary>
    /// The registrable domain of <paramref name="host"/> (ASCII, lower case): the public suffix plus one label,
    /// e.g. <c>www.example.co.uk</c> → <c>example.co.uk</c>. Null when the host is itself a public suffix.
    /// The list's default rule <c>*</c> makes an unknown last label a suffix.
    /// </summary>
    public string? RegistrableDomain(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var labels = host.TrimEnd('.').ToLowerInvariant().Split('.');
        var suffixLength = 1;
        for (var i = labels.Length; i >= 1; i--)
        {
            var candidate = string.Join('.', labels[^i..]);
            if (_exceptions.Contains(candidate))
            {
                // An exception rule's suffix is the rule minus its first label, and it beats every other rule.
                suffixLength = i - 1;
                break;
            }

            var parent = i > 1 ? string.Join('.', labels[^(i - 1)..]) : null;
            if (_rules.Contains(candidate) || (parent is not null && _wildcards.Contains(parent)))
            {
                suffixLength = Math.Max(suffixLength, i);
            }
        }

        return labels.Length > suffixLength ? string.Join('.', labels[^(suffixLength + 1)..]) : null;
    }
}
