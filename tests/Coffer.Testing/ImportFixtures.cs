using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Coffer.Testing;

/// <summary>
/// Import files in each product's documented export layout, written here rather than checked in: headers as the
/// product writes them, RFC 4180 quoting (commas, doubled quotes), multi-line notes, non-ASCII text and empty
/// fields. Every fixture holds a login named <see cref="Name"/> with <see cref="User"/>, <see cref="Password"/>,
/// <see cref="Url"/> and <see cref="Notes"/> (where the format has notes), so tests assert the same facts of each.
/// </summary>
public static class ImportFixtures
{
    public const string Name = "Bänk, \"Ünïcode\" 日本";
    public const string User = "zoë@example.com";
    public const string Password = "p,a\"ss wörd";
    public const string Url = "https://bank.example.com/login";
    public const string Notes = "first line, with comma\nsecond line \"quoted\"";
    public const string Totp = "otpauth://totp/Bank:zoe?secret=JBSWY3DPEHPK3PXP&issuer=Bank";

    /// <summary>Chrome, Edge and Brave: name,url,username,password,note.</summary>
    public static string ChromeCsv => Lines(
        "name,url,username,password,note",
        Row(Name, Url, User, Password, Notes),
        Row("", "https://empty-name.example.org", "bob", "hunter2", ""));

    /// <summary>Firefox's logins.csv: every field quoted, no names.</summary>
    public static string FirefoxCsv => Lines(
        "\"url\",\"username\",\"password\",\"httpRealm\",\"formActionOrigin\",\"guid\",\"timeCreated\",\"timeLastUsed\",\"timePasswordChanged\"",
        "\"https://www.bank.example.com\",\"zoë@example.com\",\"p,a\"\"ss wörd\",,\"https://www.bank.example.com\",\"{0b4a5e3e-1c2b-4d5e-9f00-000000000001}\",\"1700000000000\",\"1700000000000\",\"1700000000000\"",
        "\"chrome://FirefoxAccounts\",\"sync@example.com\",\"{\"\"version\"\":1}\",\"Firefox Accounts credentials\",,\"{0b4a5e3e-1c2b-4d5e-9f00-000000000002}\",\"1700000000000\",\"1700000000000\",\"1700000000000\"");

    /// <summary>Safari and Apple Passwords: Title,URL,Username,Password,Notes,OTPAuth.</summary>
    public static string SafariCsv => Lines(
        "Title,URL,Username,Password,Notes,OTPAuth",
        Row(Name, Url, User, Password, Notes, Totp),
        Row("Plain", "https://plain.example.net", "pat", "pw", "", ""));

    /// <summary>Bitwarden's own CSV: folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp.</summary>
    public static string BitwardenCsv => Lines(
        "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp",
        Row("Finance/Banks", "1", "login", Name, Notes, "PIN: 1234\nMemorable: blue", "0", Url + ",https://m.bank.example.com", User, Password, Totp),
        Row("", "", "note", "Wi-Fi", "SSID: home\nKey: ☕☕☕", "", "0", "", "", "", ""));

    /// <summary>KeePassXC's CSV export (group paths under the database's root group).</summary>
    public static string KeePassXCsv => Lines(
        "\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\",\"Icon\",\"Last Modified\",\"Created\"",
        Row("Root/Finance/Banks", Name, User, Password, Url, Notes, Totp, "0", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
        Row("Root", "Top level", "tom", "t0p", "https://top.example.org", "", "", "0", "", ""));

    /// <summary>1Password 8's CSV export.</summary>
    public static string OnePasswordCsv => Lines(
        "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes",
        Row(Name, Url, User, Password, Totp, "true", "false", "money", Notes),
        Row("Old", "https://old.example.org", "olga", "0ld", "", "false", "true", "", ""));

    /// <summary>LastPass's CSV export: url,username,password,totp,extra,name,grouping,fav; http://sn marks a secure note.</summary>
    public static string LastPassCsv => Lines(
        "url,username,password,totp,extra,name,grouping,fav",
        Row(Url, User, Password, "JBSWY3DPEHPK3PXP", Notes, Name, "Finance\\Banks", "1"),
        Row("http://sn", "", "", "", "The alarm code is 4321.\nBack door: 99", "Alarm", "Home", "0"));

    /// <summary>KeePass 2's XML export with nested groups, a protected custom string and an entry history.</summary>
    public static string KeePass2Xml => $"""
        <?xml version="1.0" encoding="utf-8" standalone="yes"?>
        <KeePassFile>
          <Meta><Generator>KeePass</Generator><DatabaseName>Mine</DatabaseName></Meta>
          <Root>
            <Group>
              <UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID>
              <Name>Database</Name>
              <Entry>
                <UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID>
                <String><Key>Title</Key><Value>Top level</Value></String>
                <String><Key>UserName</Key><Value>tom</Value></String>
                <String><Key>Password</Key><Value ProtectInMemory="True">t0p</Value></String>
                <String><Key>URL</Key><Value>https://top.example.org</Value></String>
              </Entry>
              <Group>
                <UUID>AAAAAAAAAAAAAAAAAAAAAg==</UUID>
                <Name>Finance</Name>
                <Group>
                  <UUID>AAAAAAAAAAAAAAAAAAAAAw==</UUID>
                  <Name>Banks</Name>
                  <Entry>
                    <UUID>AAAAAAAAAAAAAAAAAAAABA==</UUID>
                    <String><Key>Title</Key><Value>{Xml(Name)}</Value></String>
                    <String><Key>UserName</Key><Value>{Xml(User)}</Value></String>
                    <String><Key>Password</Key><Value ProtectInMemory="True">{Xml(Password)}</Value></String>
                    <String><Key>URL</Key><Value>{Xml(Url)}</Value></String>
                    <String><Key>Notes</Key><Value>{Xml(Notes)}</Value></String>
                    <String><Key>otp</Key><Value>{Xml(Totp)}</Value></String>
                    <String><Key>PIN</Key><Value ProtectInMemory="True">1234</Value></String>
                    <String><Key>Branch</Key><Value>Main St.</Value></String>
                    <History>
                      <Entry>
                        <UUID>AAAAAAAAAAAAAAAAAAAABA==</UUID>
                        <String><Key>Title</Key><Value>Old title</Value></String>
                      </Entry>
                    </History>
                  </Entry>
                </Group>
              </Group>
            </Group>
            <DeletedObjects />
          </Root>
        </KeePassFile>
        """;

    /// <summary>1Password 8's 1PUX: a zip holding export.attributes and export.data.</summary>
    public static byte[] OnePassword1Pux()
    {
        var data = $$$"""
            {"accounts":[{"attrs":{"accountName":"Zoë","name":"Zoë","email":"zoe@example.com","uuid":"A1","domain":"https://my.1password.com/"},
              "vaults":[{"attrs":{"uuid":"V1","desc":"","avatar":"","name":"Finance","type":"P"},
                "items":[
                  {"uuid":"I1","favIndex":1,"createdAt":1700000000,"updatedAt":1700000001,"state":"active","categoryUuid":"001",
                   "details":{"loginFields":[
                       {"value":{{{Json(User)}}},"id":"","name":"username","fieldType":"T","designation":"username"},
                       {"value":{{{Json(Password)}}},"id":"","name":"password","fieldType":"P","designation":"password"}],
                     "notesPlain":{{{Json(Notes)}}},
                     "sections":[{"title":"Security","name":"s1","fields":[
                       {"title":"one-time password","id":"TOTP_1","value":{"totp":{{{Json(Totp)}}}},"indexAtSource":0,"guarded":false,"multiline":false,"dontGenerate":false,"inputTraits":{"keyboard":"default","correction":"default","capitalization":"default"}},
                       {"title":"PIN","id":"pin","value":{"concealed":"1234"},"indexAtSource":1,"guarded":false,"multiline":false,"dontGenerate":false,"inputTraits":{"keyboard":"default","correction":"default","capitalization":"default"}}]}],
                     "passwordHistory":[{"value":"older-pw","time":1600000000}]},
                   "overview":{"subtitle":{{{Json(User)}}},"urls":[{"label":"","url":{{{Json(Url)}}}}],"title":{{{Json(Name)}}},"url":{{{Json(Url)}}},"ps":0,"pbe":0,"pgrng":false,"tags":["money"]}},
                  {"uuid":"I2","favIndex":0,"createdAt":1700000000,"updatedAt":1700000001,"state":"active","categoryUuid":"003",
                   "details":{"loginFields":[],"notesPlain":"Alarm code 4321","sections":[],"passwordHistory":[]},
                   "overview":{"subtitle":"","title":"Alarm","url":"","ps":0,"pbe":0,"pgrng":false}},
                  {"uuid":"I3","favIndex":0,"createdAt":1700000000,"updatedAt":1700000001,"state":"active","categoryUuid":"002",
                   "details":{"loginFields":[],"notesPlain":"","sections":[{"title":"","name":"","fields":[
                       {"title":"cardholder name","id":"cardholder","value":{"string":"Zoë Q"}},
                       {"title":"number","id":"ccnum","value":{"creditCardNumber":"4111111111111111"}},
                       {"title":"verification number","id":"cvv","value":{"concealed":"123"}},
                       {"title":"expiry date","id":"expiry","value":{"monthYear":202712}}]}],"passwordHistory":[]},
                   "overview":{"subtitle":"","title":"Visa","url":"","ps":0,"pbe":0,"pgrng":false}},
                  {"uuid":"I4","favIndex":0,"createdAt":1700000000,"updatedAt":1700000001,"state":"active","trashed":true,"categoryUuid":"001",
                   "details":{"loginFields":[],"notesPlain":"","sections":[],"passwordHistory":[]},
                   "overview":{"subtitle":"","title":"Trashed","url":"https://trash.example.org","ps":0,"pbe":0,"pgrng":false}}]}]}]}
            """;
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "export.attributes", """{"version":3,"description":"1Password Unencrypted Export","createdAt":1700000002}""");
            Add(zip, "export.data", data);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A Bitwarden CSV of <paramref name="rows"/> logins (every tenth in one of ten folders), written as a stream so
    /// the test itself stays small in memory.
    /// </summary>
    public static void WriteLargeBitwardenCsv(string path, int rows)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n");
        for (var i = 0; i < rows; i++)
        {
            var folder = i % 10 == 0 ? $"Bulk {i / 10 % 10}" : "";
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{folder},,login,Site {i:D6},\"note {i}, with comma\",,0,https://site{i}.example.com,user{i},\"pw-{i}-\"\"q\"\"\",\n"));
        }
    }

    public static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";

    /// <summary>One CSV record with RFC 4180 quoting: fields with commas, quotes or line breaks are quoted, quotes doubled.</summary>
    public static string Row(params string[] fields) => string.Join(",", fields.Select(f =>
        f.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f));

    private static string Xml(string text) => System.Security.SecurityElement.Escape(text);

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static void Add(ZipArchive zip, string name, string content)
    {
        using var entry = zip.CreateEntry(name).Open();
        entry.Write(Encoding.UTF8.GetBytes(content));
    }
}
