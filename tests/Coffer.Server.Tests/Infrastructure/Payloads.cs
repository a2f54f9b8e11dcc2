using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>Request bodies shaped as the official clients send them (protocol doc §4.3, §4.10, §4.14, §5).</summary>
public static class Payloads
{
    /// <summary>§5.2, current clients: flat fields plus the two master-password objects.</summary>
    public static JsonObject RegisterFinish(Credentials account, string? emailVerificationToken)
    {
        var request = new JsonObject
        {
            ["email"] = account.Email,
            ["emailVerificationToken"] = emailVerificationToken,
            ["masterPasswordHint"] = null,
            ["userSymmetricKey"] = account.UserKey,
            ["userAsymmetricKeys"] = new JsonObject
            {
                ["publicKey"] = account.PublicKey,
                ["encryptedPrivateKey"] = account.PrivateKey,
            },
            ["masterPasswordHash"] = account.MasterPasswordHash,
            ["masterPasswordAuthentication"] = new JsonObject
            {
                ["salt"] = account.Salt,
                ["kdf"] = account.Kdf.ToObject(),
                ["masterPasswordAuthenticationHash"] = account.MasterPasswordHash,
            },
            ["masterPasswordUnlock"] = new JsonObject
            {
                ["salt"] = account.Salt,
                ["kdf"] = account.Kdf.ToObject(),
                ["masterKeyWrappedUserKey"] = account.UserKey,
            },
        };
        account.Kdf.AddFlatFields(request);
        return request;
    }

    /// <summary>§5.3, the legacy single-request sign-up.</summary>
    public static JsonObject LegacyRegister(Credentials account)
    {
        var request = new JsonObject
        {
            ["email"] = account.Email,
            ["name"] = account.Name,
            ["masterPasswordHash"] = account.MasterPasswordHash,
            ["masterPasswordHint"] = null,
            ["key"] = account.UserKey,
            ["keys"] = new JsonObject
            {
                ["publicKey"] = account.PublicKey,
                ["encryptedPrivateKey"] = account.PrivateKey,
            },
        };
        account.Kdf.AddFlatFields(request);
        return request;
    }

    /// <summary>§4.3.1, the CLI's password grant, keys in the CLI's order.</summary>
    public static Dictionary<string, string> PasswordGrant(string username, string password, string deviceIdentifier) => new()
    {
        ["scope"] = "api offline_access",
        ["client_id"] = "cli",
        ["deviceType"] = "25",
        ["deviceIdentifier"] = deviceIdentifier,
        ["deviceName"] = "linux",
        ["grant_type"] = "password",
        ["username"] = username,
        ["password"] = password,
    };

    /// <summary>§4.3.2, exactly what the CLI sends to refresh.</summary>
    public static Dictionary<string, string> RefreshGrant(string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["client_id"] = "cli",
        ["refresh_token"] = refreshToken,
    };

    /// <summary>A login item as the CLI sends it, including the client artefacts (<c>response</c> keys).</summary>
    public static JsonObject LoginCipher(string? folderId = null, string? encryptedFor = null) => new()
    {
        ["type"] = 1,
        ["encryptedFor"] = encryptedFor,
        ["folderId"] = folderId,
        ["organizationId"] = null,
        ["name"] = Fake.EncString(),
        ["notes"] = Fake.EncString(),
        ["favorite"] = false,
        ["reprompt"] = 0,
        ["lastKnownRevisionDate"] = null,
        ["login"] = new JsonObject
        {
            ["response"] = null,
            ["uris"] = new JsonArray(new JsonObject
            {
                ["response"] = null,
                ["match"] = null,
                ["uri"] = Fake.EncString(),
                ["uriChecksum"] = Fake.EncString(),
            }),
            ["username"] = Fake.EncString(),
            ["password"] = Fake.EncString(),
            ["passwordRevisionDate"] = null,
            ["totp"] = null,
        },
        ["fields"] = new JsonArray(new JsonObject
        {
            ["response"] = null,
            ["type"] = 1,
            ["name"] = Fake.EncString(),
            ["value"] = Fake.EncString(),
        }),
        ["passwordHistory"] = new JsonArray(new JsonObject
        {
            ["lastUsedDate"] = "2026-01-02T03:04:05.678Z",
            ["password"] = Fake.EncString(),
        }),
    };

    /// <summary>A minimal item of any type: the type object is chosen by <paramref name="type"/>.</summary>
    public static JsonObject Cipher(int type)
    {
        var cipher = new JsonObject { ["type"] = type, ["name"] = Fake.EncString(), ["notes"] = null, ["favorite"] = false, ["reprompt"] = 0 };
        switch (type)
        {
            case 1:
                cipher["login"] = new JsonObject { ["username"] = Fake.EncString(), ["password"] = Fake.EncString(), ["uris"] = new JsonArray() };
                break;
            case 2:
                cipher["secureNote"] = new JsonObject { ["type"] = 0 };
                break;
            case 3:
                cipher["card"] = new JsonObject
                {
                    ["cardholderName"] = Fake.EncString(),
                    ["brand"] = Fake.EncString(),
                    ["number"] = Fake.EncString(),
                    ["expMonth"] = Fake.EncString(),
                    ["expYear"] = Fake.EncString(),
                    ["code"] = Fake.EncString(),
                };
                break;
            case 4:
                cipher["identity"] = new JsonObject
                {
                    ["title"] = Fake.EncString(),
                    ["firstName"] = Fake.EncString(),
                    ["lastName"] = Fake.EncString(),
                    ["email"] = Fake.EncString(),
                };
                break;
            case 5:
                cipher["sshKey"] = new JsonObject
                {
                    ["privateKey"] = Fake.EncString(),
                    ["publicKey"] = Fake.EncString(),
                    ["keyFingerprint"] = Fake.EncString(),
                };
                break;
            default:
                cipher["login"] = new JsonObject { ["username"] = Fake.EncString() };
                break;
        }

        return cipher;
    }

    public static JsonObject Folder(string? name = null) => new() { ["name"] = name ?? Fake.EncString() };

    public static JsonObject Ids(params string[] ids) => new() { ["ids"] = new JsonArray([.. ids.Select(id => (JsonNode?)id)]) };
}
