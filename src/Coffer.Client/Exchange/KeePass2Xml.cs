using System.Xml;
using System.Xml.Linq;
using Coffer.Client.Vault;

namespace Coffer.Client.Exchange;

/// <summary>
/// KeePass 2's XML export (<c>KeePassFile/Root/Group/…/Entry/String[Key,Value]</c>), read as a stream with
/// System.Xml, one entry at a time, as Bitwarden's KeePass2XmlImporter reads it: the group path below the root
/// group is the folder (<c>Email/Work</c>); Title, UserName, Password, URL, Notes and <c>otp</c> are the item's own
/// fields; other strings become custom fields (hidden when KeePass protects them in memory), or lines of the notes
/// when longer than 200 characters or multi-line. Entry history is not imported.
/// </summary>
internal static class KeePass2Xml
{
    public static IEnumerable<ImportRow> Read(Stream stream)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true, CloseInput = false };
        using var reader = XmlReader.Create(stream, settings);
        var lineInfo = (IXmlLineInfo)reader;
        var groups = new List<(int Depth, string? Name)>();
        var sawRoot = false;

        // ReadElementContentAsString and XNode.ReadFrom leave the reader on the next node already.
        var positioned = false;
        while (true)
        {
            bool more;
            try
            {
                more = positioned ? !reader.EOF : reader.Read();
                positioned = false;
            }
            catch (XmlException e)
            {
                throw new ImportFileException($"The file is not well-formed XML (line {e.LineNumber}): {e.Message}", e);
            }

            if (!more)
            {
                break;
            }

            if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "Group" && groups.Count > 0)
            {
                groups.RemoveAt(groups.Count - 1);
                continue;
            }

            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            sawRoot |= reader.LocalName == "KeePassFile";
            var inGroup = groups.Count > 0 && groups[^1].Depth == reader.Depth - 1;
            if (reader.LocalName == "Group" && !reader.IsEmptyElement)
            {
                groups.Add((reader.Depth, null));
            }
            else if (reader.LocalName == "Name" && inGroup)
            {
                groups[^1] = (groups[^1].Depth, reader.ReadElementContentAsString());
                positioned = true;
            }
            else if (reader.LocalName == "Entry" && inGroup)
            {
                var line = lineInfo.LineNumber;
                XElement entry;
                try
                {
                    entry = (XElement)XNode.ReadFrom(reader);
                    positioned = true;
                }
                catch (XmlException e)
                {
                    throw new ImportFileException($"The file is not well-formed XML (line {e.LineNumber}): {e.Message}", e);
                }

                // The first group is the database itself; its name is not a folder.
                var folder = string.Join('/', groups.Skip(1).Select(g => g.Name).Where(n => !string.IsNullOrWhiteSpace(n)));
                yield return ImportRow.Ok(line, Item(entry), folder);
            }
        }

        if (!sawRoot)
        {
            throw new ImportFileException("The file is not a KeePass 2 XML export (no KeePassFile element).");
        }
    }

    private static VaultItem Item(XElement entry)
    {
        string? name = null, username = null, password = null, url = null, totp = null;
        var notes = new List<string>();
        var fields = new List<FieldView>();
        foreach (var s in entry.Elements("String"))
        {
            var key = (string?)s.Element("Key") ?? "";
            var valueElement = s.Element("Value");
            var value = (string?)valueElement;
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            switch (key)
            {
                case "Title": name = value; break;
                case "UserName": username = value; break;
                case "Password": password = value; break;
                case "URL": url = value; break;
                case "Notes": notes.Insert(0, value); break;
                case "otp": totp = value.Replace("key=", "", StringComparison.Ordinal); break;
                default:
                    if (value.Length > 200 || value.Contains('\n', StringComparison.Ordinal))
                    {
                        notes.Add($"{key}: {value}");
                    }
                    else
                    {
                        var hidden = (string?)valueElement?.Attribute("ProtectInMemory") == "True";
                        fields.Add(new FieldView(hidden ? 1 : 0, key, value));
                    }

                    break;
            }
        }

        return ImportItems.Login(name, username, password, [url], string.Join('\n', notes).Trim(), totp, fields: fields);
    }
}
