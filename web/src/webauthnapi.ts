// The WebAuthn routes of the account (sharing doc §5.2, §5.6) and two-step login by e-mail (account doc §2), grouped
// as orgapi.ts groups the organization routes. Every change proves the master password (its login hash); the
// two-factor routes also take the userVerificationToken their first call returns.
import type { Api } from './api';
import type { JsonOptions } from './webauthn';

/** One passkey as `GET /api/webauthn` lists it; prfStatus 0 = unlocks the vault, 1 = could (no key set yet), 2 = no PRF. */
export interface PasskeyView {
  id: string;
  name: string;
  prfStatus: 0 | 1 | 2;
}

export interface SecurityKeysView {
  enabled: boolean;
  keys: { id: number; name: string }[];
  userVerificationToken?: string;
}

export class WebAuthnApi {
  constructor(private readonly api: Api) {}

  // ---------- passkeys (/api/webauthn) ----------

  async passkeys(): Promise<PasskeyView[]> {
    return (await this.api.request<{ data: PasskeyView[] }>('GET', '/api/webauthn')).data;
  }

  passkeyCreationOptions(masterPasswordHash: string): Promise<{ options: JsonOptions; token: string }> {
    return this.api.request('POST', '/api/webauthn/attestation-options', { masterPasswordHash });
  }

  savePasskey(body: { deviceResponse: unknown; name: string; token: string; supportsPrf: boolean; encryptedUserKey?: string; encryptedPublicKey?: string; encryptedPrivateKey?: string }): Promise<PasskeyView> {
    return this.api.request('POST', '/api/webauthn', body);
  }

  async deletePasskey(id: string, masterPasswordHash: string): Promise<void> {
    await this.api.request('POST', `/api/webauthn/${encodeURIComponent(id)}/delete`, { masterPasswordHash });
  }

  // ---------- security keys (two-step provider 7) ----------

  securityKeys(masterPasswordHash: string): Promise<SecurityKeysView & { webAuthn?: SecurityKeysView }> {
    return this.api.request('POST', '/api/two-factor/get-webauthn', { masterPasswordHash });
  }

  securityKeyChallenge(masterPasswordHash: string, userVerificationToken?: string): Promise<{ options: JsonOptions }> {
    return this.api.request('POST', '/api/two-factor/get-webauthn-challenge', { masterPasswordHash, userVerificationToken });
  }

  addSecurityKey(body: { id: number; name: string; deviceResponse: unknown; masterPasswordHash: string; userVerificationToken?: string }): Promise<SecurityKeysView & { webAuthn?: SecurityKeysView }> {
    return this.api.request('PUT', '/api/two-factor/webauthn', body);
  }

  removeSecurityKey(id: number, masterPasswordHash: string, userVerificationToken?: string): Promise<SecurityKeysView & { webAuthn?: SecurityKeysView }> {
    return this.api.request('DELETE', '/api/two-factor/webauthn', { id, masterPasswordHash, userVerificationToken });
  }

  // ---------- two-step login by e-mail (provider 1) ----------

  /** The nested shape current clients read (`email: {enabled, email}`), or the older flat one. */
  async emailSettings(masterPasswordHash: string): Promise<{ enabled: boolean; email: string | null; userVerificationToken?: string }> {
    const body = await this.api.request<{ email?: { enabled: boolean; email: string } | string | null; enabled?: boolean; userVerificationToken?: string }>(
      'POST', '/api/two-factor/get-email', { masterPasswordHash });
    const inner = body.email && typeof body.email === 'object' ? body.email : { enabled: body.enabled ?? false, email: body.email ?? null };
    return { enabled: inner.enabled, email: inner.email, userVerificationToken: body.userVerificationToken };
  }

  async sendEmailSetupCode(email: string, masterPasswordHash: string, userVerificationToken?: string): Promise<void> {
    await this.api.request('POST', '/api/two-factor/send-email', { email, masterPasswordHash, userVerificationToken });
  }

  enableEmail(email: string, code: string, masterPasswordHash: string, userVerificationToken?: string): Promise<{ enabled: boolean }> {
    return this.api.request('PUT', '/api/two-factor/email', { email, token: code, masterPasswordHash, userVerificationToken });
  }

  async disableProvider(type: 1 | 7, masterPasswordHash: string): Promise<void> {
    await this.api.request('PUT', '/api/two-factor/disable', { type, masterPasswordHash });
  }
}

/** The nested shape current clients read, else Vaultwarden's flat one (sharing doc §5.2). */
export function keysOf(view: SecurityKeysView & { webAuthn?: SecurityKeysView }): SecurityKeysView {
  return { ...(view.webAuthn ?? view), userVerificationToken: view.userVerificationToken };
}
