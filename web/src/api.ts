// Every call to the Coffer server, with the same wire shapes the official clients send (protocol doc §4, §5;
// account doc). Tokens: short-lived access token, refresh token rotated on every refresh grant.
import type { KdfConfig } from './crypto';
import type { CipherRequest, CipherResponse, FolderResponse, SyncResponse } from './models';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The token endpoint asked for a second factor (protocol §4.3.3): the keys are provider numbers. */
export class TwoFactorRequired extends Error {
  constructor(
    readonly providers: string[],
    /** `TwoFactorProviders2`: per provider what its step needs (`"1"`: the masked address; `"7"`: WebAuthn options). */
    readonly details: Record<string, unknown> = {},
  ) {
    super('Two-step login is required.');
  }
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  Key?: string;
  key?: string;
  PrivateKey?: string;
  privateKey?: string;
  Kdf?: number;
  KdfIterations?: number;
  KdfMemory?: number | null;
  KdfParallelism?: number | null;
  TwoFactorToken?: string;
  UserDecryptionOptions?: {
    /** After a passkey login with a PRF passkey (sharing doc §5.6). */
    WebAuthnPrfOption?: { EncryptedPrivateKey: string; EncryptedUserKey: string; CredentialId: string; Transports: string[] } | null;
  } | null;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Milliseconds since the epoch after which the access token is refreshed before use. */
  expiresAt: number;
}

export interface PreloginResponse {
  kdfSettings: { kdfType: number; iterations: number; memory: number | null; parallelism: number | null };
  salt?: string | null;
}

export interface DeviceInfo {
  identifier: string;
  name: string;
  type: number;
}

export interface Device {
  id: string;
  name: string;
  type: number;
  identifier: string;
  creationDate: string;
  lastActivityDate: string | null;
}

/** Bitwarden's error bodies (ErrorModel, message, validationErrors) and RFC 9457 problem details, as one sentence. */
export async function errorMessage(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    const validation = body.validationErrors ?? body.ValidationErrors ?? body.errors;
    const details = validation && typeof validation === 'object' ? Object.values(validation).flat().join(' ') : '';
    return (
      body.ErrorModel?.Message ??
      body.errorModel?.message ??
      (details || undefined) ??
      body.message ??
      body.Message ??
      body.error_description ??
      body.detail ??
      body.title ??
      `The server answered ${response.status}.`
    );
  } catch {
    return `The server answered ${response.status}.`;
  }
}

export function kdfFromPrelogin(body: PreloginResponse): KdfConfig {
  const k = body.kdfSettings;
  return { kdfType: k.kdfType as KdfConfig['kdfType'], iterations: k.iterations, memory: k.memory, parallelism: k.parallelism };
}

export function kdfFromToken(body: TokenResponse): KdfConfig {
  return { kdfType: (body.Kdf ?? 0) as KdfConfig['kdfType'], iterations: body.KdfIterations ?? 600000, memory: body.KdfMemory, parallelism: body.KdfParallelism };
}

/** Flat and object KDF fields together: the server reads either, as it does from every client generation. */
export function kdfWire(kdf: KdfConfig) {
  const argon = kdf.kdfType === 1;
  return {
    object: { kdfType: kdf.kdfType, iterations: kdf.iterations, memory: argon ? kdf.memory : null, parallelism: argon ? kdf.parallelism : null },
    flat: { kdf: kdf.kdfType, kdfIterations: kdf.iterations, kdfMemory: argon ? kdf.memory : null, kdfParallelism: argon ? kdf.parallelism : null },
  };
}

export class Api {
  tokens: Tokens | null = null;
  /** Called whenever the tokens change (rotation or logout) so the session can keep them. */
  onTokens: (tokens: Tokens | null) => void = () => {};
  /** Called when the refresh token is refused: the session is over. */
  onLoggedOut: () => void = () => {};
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly device: DeviceInfo,
    private readonly base = '',
  ) {}

  // ---------- identity ----------

  async prelogin(email: string): Promise<PreloginResponse> {
    return this.json('POST', '/identity/accounts/prelogin/password', { email }, false);
  }

  /** Password grant with the web vault's client id; the two-factor fields only when a code is given. */
  async login(email: string, hash: string, twoFactor?: { provider: string; token: string; remember: boolean }): Promise<TokenResponse> {
    const form = new URLSearchParams({
      scope: 'api offline_access',
      client_id: 'web',
      deviceType: String(this.device.type),
      deviceIdentifier: this.device.identifier,
      deviceName: this.device.name,
    });
    if (twoFactor) {
      form.set('twoFactorToken', twoFactor.token);
      form.set('twoFactorProvider', twoFactor.provider);
      form.set('twoFactorRemember', twoFactor.remember ? '1' : '0');
    }
    form.set('grant_type', 'password');
    form.set('username', email);
    form.set('password', hash);
    const response = await fetch(this.base + '/identity/connect/token', { method: 'POST', body: form });
    if (response.status === 400) {
      const body = await response.clone().json().catch(() => ({}));
      if (body.TwoFactorProviders2 && Object.keys(body.TwoFactorProviders2).length > 0) {
        throw new TwoFactorRequired(Object.keys(body.TwoFactorProviders2), body.TwoFactorProviders2);
      }
    }
    if (!response.ok) throw new ApiError(await errorMessage(response), response.status);
    const token = (await response.json()) as TokenResponse;
    this.setTokens(token);
    return token;
  }

  /** Anonymous: WebAuthn options for a passkey login and the token naming their challenge. */
  passkeyLoginOptions(): Promise<{ options: Record<string, unknown> & { challenge: string }; token: string }> {
    return this.json('GET', '/identity/accounts/webauthn/assertion-options', undefined, false);
  }

  /** `grant_type=webauthn`: the assertion (with its user handle) logs in without the master password. */
  async loginWithPasskey(token: string, deviceResponse: unknown): Promise<TokenResponse> {
    const form = new URLSearchParams({
      grant_type: 'webauthn',
      scope: 'api offline_access',
      client_id: 'web',
      deviceType: String(this.device.type),
      deviceIdentifier: this.device.identifier,
      deviceName: this.device.name,
      token,
      deviceResponse: JSON.stringify(deviceResponse),
    });
    const response = await fetch(this.base + '/identity/connect/token', { method: 'POST', body: form });
    if (!response.ok) throw new ApiError(await errorMessage(response), response.status);
    const body = (await response.json()) as TokenResponse;
    this.setTokens(body);
    return body;
  }

  /** Anonymous: mails the login code of two-step login by e-mail again (account doc §2; needs the password hash). */
  sendEmailLoginCode(email: string, masterPasswordHash: string): Promise<void> {
    return this.send('POST', '/api/two-factor/send-email-login', { email, masterPasswordHash }, false).then(() => undefined);
  }

  private setTokens(token: TokenResponse): void {
    this.tokens = { accessToken: token.access_token, refreshToken: token.refresh_token, expiresAt: Date.now() + (token.expires_in - 60) * 1000 };
    this.onTokens(this.tokens);
  }

  /** Refresh grant; the server rotates the refresh token, so the new one replaces the old at once. */
  private async refresh(): Promise<void> {
    const current = this.tokens;
    if (!current) throw new ApiError('Not logged in.', 401);
    const form = new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: current.refreshToken });
    const response = await fetch(this.base + '/identity/connect/token', { method: 'POST', body: form });
    if (!response.ok) {
      this.clear();
      this.onLoggedOut();
      throw new ApiError('Your session has ended. Log in again.', 401);
    }
    this.setTokens(await response.json());
  }

  clear(): void {
    this.tokens = null;
    this.onTokens(null);
  }

  /** A current access token (refreshed first when expired), for the notifications hub's query string. */
  hubToken(): Promise<string> {
    return this.accessToken();
  }

  /** A refresh grant now: a new organization membership is in the next access token (organizations doc §2.3). */
  async refreshNow(): Promise<void> {
    this.expireAccessToken();
    await this.accessToken();
  }

  /** Makes the next call refresh the access token first (the server refused it). */
  expireAccessToken(): void {
    if (this.tokens) this.tokens.expiresAt = 0;
  }

  /** A current access token, refreshed first when expired; also for the admin API (admin.ts). */
  async accessToken(): Promise<string> {
    if (!this.tokens) throw new ApiError('Not logged in.', 401);
    if (Date.now() >= this.tokens.expiresAt) {
      // One refresh for every call waiting on it: the server accepts each refresh token once.
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = null));
      await this.refreshing;
    }
    return this.tokens!.accessToken;
  }

  // ---------- transport ----------

  private async send(method: string, path: string, body: unknown, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const init = (token?: string): RequestInit => ({
      method,
      headers: token ? { ...headers, Authorization: `Bearer ${token}` } : headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let response = await fetch(this.base + path, init(auth ? await this.accessToken() : undefined));
    if (auth && response.status === 401 && this.tokens) {
      this.expireAccessToken();
      response = await fetch(this.base + path, init(await this.accessToken()));
    }
    if (!response.ok) throw new ApiError(await errorMessage(response), response.status);
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const response = await this.send(method, path, body, auth);
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  /** An authenticated JSON call for the modules that group the routes of one feature (orgapi.ts). */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.json(method, path, body);
  }

  private async call(method: string, path: string, body?: unknown): Promise<void> {
    await this.send(method, path, body, true);
  }

  // ---------- registration ----------

  /** Returns the registration token when the server does not verify e-mail addresses (200 + JSON string). */
  async sendVerificationEmail(email: string, name: string | null): Promise<string | null> {
    return this.json('POST', '/identity/accounts/register/send-verification-email', { email, name, receiveMarketingEmails: false }, false);
  }

  async registerFinish(body: unknown): Promise<void> {
    await this.send('POST', '/identity/accounts/register/finish', body, false);
  }

  /** Asks the server to mail the account's master password hint; the answer is the same whether or not it exists. */
  async passwordHint(email: string): Promise<void> {
    await this.send('POST', '/api/accounts/password-hint', { email }, false);
  }

  // ---------- vault ----------

  sync(): Promise<SyncResponse> {
    return this.json('GET', '/api/sync?excludeDomains=true');
  }

  /** The account's revision date, milliseconds since the epoch (the rollback check's input). */
  accountRevisionDate(): Promise<number> {
    return this.json('GET', '/api/accounts/revision-date');
  }

  createCipher(cipher: CipherRequest): Promise<CipherResponse> {
    return this.json('POST', '/api/ciphers', cipher);
  }

  updateCipher(id: string, cipher: CipherRequest): Promise<CipherResponse> {
    return this.json('PUT', `/api/ciphers/${id}`, cipher);
  }

  softDeleteCipher(id: string): Promise<void> {
    return this.call('PUT', `/api/ciphers/${id}/delete`);
  }

  deleteCipher(id: string): Promise<void> {
    return this.call('DELETE', `/api/ciphers/${id}`);
  }

  restoreCipher(id: string): Promise<CipherResponse> {
    return this.json('PUT', `/api/ciphers/${id}/restore`);
  }

  importCiphers(body: { ciphers: CipherRequest[]; folders: { name: string }[]; folderRelationships: { key: number; value: number }[] }): Promise<void> {
    return this.call('POST', '/api/ciphers/import', body);
  }

  createFolder(name: string): Promise<FolderResponse> {
    return this.json('POST', '/api/folders', { name });
  }

  renameFolder(id: string, name: string): Promise<FolderResponse> {
    return this.json('PUT', `/api/folders/${id}`, { name });
  }

  deleteFolder(id: string): Promise<void> {
    return this.call('DELETE', `/api/folders/${id}`);
  }

  // ---------- account ----------

  setUserKeyId(userKeyId: string): Promise<void> {
    return this.call('POST', '/api/accounts/key-management/user-key-id', { userKeyId });
  }

  changePassword(body: unknown): Promise<void> {
    return this.call('POST', '/api/accounts/password', body);
  }

  changeKdf(body: unknown): Promise<void> {
    return this.call('POST', '/api/accounts/kdf', body);
  }

  /** Ends every session of the account (new security stamp): "log out everywhere". */
  deauthorize(masterPasswordHash: string): Promise<void> {
    return this.call('POST', '/api/accounts/security-stamp', { masterPasswordHash });
  }

  devices(): Promise<{ data: Device[] }> {
    return this.json('GET', '/api/devices');
  }

  deactivateDevice(id: string): Promise<void> {
    return this.call('POST', `/api/devices/${id}/deactivate`);
  }

  // ---------- two-step login ----------

  twoFactorProviders(): Promise<{ data: { type: number; enabled: boolean }[] }> {
    return this.json('GET', '/api/two-factor');
  }

  getAuthenticator(masterPasswordHash: string): Promise<{ enabled: boolean; key: string; userVerificationToken?: string }> {
    return this.json('POST', '/api/two-factor/get-authenticator', { masterPasswordHash });
  }

  enableAuthenticator(body: { key: string; token: string; masterPasswordHash: string; userVerificationToken?: string }): Promise<{ enabled: boolean }> {
    return this.json('PUT', '/api/two-factor/authenticator', body);
  }

  disableAuthenticator(body: { key: string; masterPasswordHash: string; userVerificationToken?: string }): Promise<void> {
    return this.call('DELETE', '/api/two-factor/authenticator', { ...body, type: 0 });
  }

  recoveryCode(masterPasswordHash: string): Promise<{ code: string | null }> {
    return this.json('POST', '/api/two-factor/get-recover', { masterPasswordHash });
  }
}
