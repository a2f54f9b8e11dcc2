using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Coffer.Server.Abuse;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Identity;

/// <summary>
/// <c>POST /identity/accounts/prelogin/password</c> (and the legacy <c>/prelogin</c>), protocol §4.2.
/// An unknown e-mail gets settings that look like a real account's and never change for that e-mail, chosen by
/// an HMAC keyed with a server secret, so prelogin does not reveal which accounts exist.
/// </summary>
public static class PreloginEndpoints
{
    // Plausible settings: what the official clients and Coffer create by default, weighted by how common they are.
    private static readonly KdfConfig[] Decoys =
    [
        KdfConfig.DefaultPbkdf2, KdfConfig.DefaultPbkdf2, KdfConfig.DefaultPbkdf2, KdfConfig.DefaultPbkdf2,
        KdfConfig.DefaultPbkdf2, KdfConfig.DefaultPbkdf2, KdfConfig.DefaultArgon2id, new(KdfType.Argon2id, 3, 64, 4),
    ];

    public static void MapPrelogin(this IEndpointRouteBuilder identity)
    {
        identity.MapPost("/accounts/prelogin/password", Prelogin).RateLimited(RateLimitFamily.Prelogin).WithTags("Identity").WithSummary("KDF settings and salt for an e-mail");
        identity.MapPost("/accounts/prelogin", Prelogin).RateLimited(RateLimitFamily.Prelogin).WithTags("Identity").WithSummary("Legacy path of prelogin/password");
    }

    private static async Task<IResult> Prelogin(PreloginRequestModel request, CofferDb db, TokenService tokens, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > 256)
        {
            return BitwardenErrors.BadRequest("An e-mail address is required.", "email");
        }

        var email = AccountEmail.Normalize(request.Email);
        var known = await db.Users.AsNoTracking().Where(u => u.Email == email)
            .Select(u => new { u.Kdf, u.KdfIterations, u.KdfMemory, u.KdfParallelism })
            .SingleOrDefaultAsync(ct);
        // The same query and the same HMAC for every e-mail, known or not, so the time taken says nothing either.
        var decoy = DecoyFor(email, tokens.SigningKey);
        var kdf = known is null ? decoy : new KdfConfig(known.Kdf, known.KdfIterations, known.KdfMemory, known.KdfParallelism);
        return Results.Json(PreloginResponseModel.From(kdf, email), CofferJson.Options);
    }

    internal static KdfConfig DecoyFor(string email, byte[] serverSecret)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, serverSecret, 32, info: "coffer prelogin decoy"u8.ToArray());
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(email));
        return Decoys[mac[0] % Decoys.Length];
    }
}
