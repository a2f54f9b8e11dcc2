namespace Coffer.Server.Accounts;

/// <summary>Sign-up (section <c>Coffer:Registration</c>); who may sign up at all is <c>Coffer:RegistrationMode</c>.</summary>
public sealed class RegistrationOptions
{
    /// <summary>
    /// Sign-up must prove the address first (default false): <c>/identity/accounts/register/send-verification-email</c>
    /// mails a link, and <c>register/finish</c> needs its token. Needs mail (<c>Coffer:Smtp</c>); validated at start.
    /// </summary>
    public bool VerifyEmail { get; set; }

    /// <summary>Hours a verification link stays valid (1–168, default 24).</summary>
    public int VerificationHours { get; set; } = 24;

    internal IEnumerable<string> Validate(bool mailEnabled)
    {
        if (VerifyEmail && !mailEnabled)
        {
            yield return "Coffer:Registration:VerifyEmail needs mail: set Coffer:Smtp:Host (and Coffer:Smtp:From).";
        }

        if (VerificationHours is < 1 or > 168)
        {
            yield return "Coffer:Registration:VerificationHours must be between 1 and 168.";
        }
    }
}
