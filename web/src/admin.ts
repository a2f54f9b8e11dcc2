// The admin API (/admin/api, Coffer's own routes: RFC 9457 problem details). Every action needs, besides the
// access token, a fresh admin proof (header X-Coffer-Admin-Proof) from POST /admin/api/session, made with the
// master password hash or a current TOTP code; the server says when one is missing or stale (401, problem type
// urn:coffer:problem:admin-proof-required, as RFC 9470's step-up challenge). The proof lives in this object's
// memory only: a reload or another tab asks again.

export const PROOF_HEADER = 'X-Coffer-Admin-Proof';
export const PROOF_REQUIRED = 'urn:coffer:problem:admin-proof-required';
export const TWO_FACTOR_REQUIRED = 'urn:coffer:problem:admin-two-factor-required';

/** Why an admin call was refused: a proof is needed, the account lacks two-step login, or it is no admin at all. */
export type Refusal = 'proof' | 'two-factor' | 'not-admin';

export class AdminError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly refusal: Refusal | null = null,
  ) {
    super(message);
  }
}

export interface AdminUser {
  id: string;
  email: string;
  name: string | null;
  creationDate: string;
  lastLogin: string | null;
  itemCount: number;
  disabled: boolean;
  admin: boolean;
  twoFactorEnabled: boolean;
}

export interface Invitation {
  id: string;
  email: string;
  creationDate: string;
  expirationDate: string;
  usedDate: string | null;
  status: 'pending' | 'used' | 'expired';
}

export interface CreatedInvitation {
  id: string;
  email: string;
  token: string;
  expirationDate: string;
}

export interface AdminSettings {
  registrationMode: string;
  defaultRegistrationMode: string;
  /** Who may create organizations: 'everyone' or 'admins'. */
  organizationCreation: string;
}

/** An organization as the admin sees it: its plain-text name and counts, never a collection name or an item. */
export interface AdminOrganization {
  id: string;
  name: string;
  creationDate: string;
  memberCount: number;
  pendingMemberCount: number;
  collectionCount: number;
  itemCount: number;
  owners: string[];
}

/** GET /admin/api/audit/verify: the first broken link names its chain, position and event id (null when missing or unreadable). */
export interface AuditVerification {
  checked: number;
  intact: boolean;
  firstBrokenSequence: number | null;
  reason: string | null;
  chains?: number;
  chain?: string | null;
  position?: number | null;
  checkpoint?: number | null;
}

/** Outgoing mail (GET /admin/api/mail): the SMTP server (never its password) and the outbox. */
export interface AdminMail {
  enabled: boolean;
  host: string | null;
  port: number | null;
  security: string | null;
  from: string | null;
  /** Messages waiting: first tries and retries. */
  queued: number;
  /** Messages given up (refused for good, or failing for too long). */
  failed: number;
  /** The mail server's last answer to a message still being retried. */
  lastError: string | null;
  failures: { id: string; to: string; template: string; creationDate: string; failedDate: string; attempts: number; lastError: string | null }[];
}

/** One line on the state of outgoing mail, for the admin screen. */
export function mailSummary(mail: AdminMail): string {
  if (!mail.enabled) return 'Mail is off: set Coffer__Smtp__Host and Coffer__Smtp__From on the server. Coffer works without it; nothing is mailed.';
  const server = `${mail.host}:${mail.port} (${mail.security}), from ${mail.from}`;
  const retrying = mail.queued && mail.lastError ? ` Last error: ${mail.lastError}` : '';
  return `Sending through ${server}. ${mail.queued} waiting, ${mail.failed} given up.${retrying}`;
}

/** What the admin API needs from the session: a current access token, and a way to say it was refused. */
export interface Session {
  accessToken(): Promise<string>;
  expireAccessToken(): void;
}

/** Classifies a refused answer from its status and problem type. */
export function refusalOf(status: number, problem: { type?: string } | null): Refusal | null {
  if (status === 401 && problem?.type === PROOF_REQUIRED) return 'proof';
  if (status === 403) return problem?.type === TWO_FACTOR_REQUIRED ? 'two-factor' : 'not-admin';
  return null;
}

/** The state column of the accounts table: role, enabled, two-step login. */
export function userState(user: AdminUser): string {
  return [user.admin ? 'admin' : 'user', user.disabled ? 'disabled' : 'active', ...(user.twoFactorEnabled ? ['2FA'] : [])].join(', ');
}

export function auditSummary(result: AuditVerification): string {
  const chains = result.chains === undefined ? '' : ` in ${result.chains} chains`;
  const checkpoint = result.checkpoint ? `, up to checkpoint ${result.checkpoint}` : '';
  if (result.intact) {
    return `Intact: all ${result.checked} events${chains} check out${checkpoint}.`;
  }

  const event = result.firstBrokenSequence === null ? 'a missing event' : `event ${result.firstBrokenSequence}`;
  const where = result.chain ? ` (chain ${result.chain}, position ${result.position ?? 'unknown'})` : '';
  return `BROKEN at ${event}${where}: ${result.reason} (${result.checked} events before it check out).`;
}

export class AdminApi {
  private proof: { token: string; expiresAt: number } | null = null;

  constructor(
    private readonly session: Session,
    private readonly now: () => number = () => Date.now(),
    private readonly base = '',
  ) {}

  /** Milliseconds since the epoch until which the current proof counts, or null without one. */
  get proofExpiresAt(): number | null {
    return this.proof && this.proof.expiresAt > this.now() ? this.proof.expiresAt : null;
  }

  forgetProof(): void {
    this.proof = null;
  }

  /** Elevation: the master password hash, a TOTP code, or both (then both must check out). */
  async prove(factors: { masterPasswordHash?: string; otp?: string }): Promise<void> {
    const body = { masterPasswordHash: factors.masterPasswordHash || null, otp: factors.otp || null };
    const result = await this.send('POST', '/session', body, false);
    this.proof = { token: result.proof, expiresAt: Date.parse(result.expiresAt) };
  }

  users(): Promise<AdminUser[]> {
    return this.send('GET', '/users');
  }

  /** disable, enable or logout (end every session). */
  userAction(id: string, verb: 'disable' | 'enable' | 'logout'): Promise<void> {
    return this.send('POST', `/users/${encodeURIComponent(id)}/${verb}`);
  }

  deleteUser(id: string): Promise<void> {
    return this.send('DELETE', `/users/${encodeURIComponent(id)}`);
  }

  invitations(): Promise<Invitation[]> {
    return this.send('GET', '/invitations');
  }

  invite(email: string): Promise<CreatedInvitation> {
    return this.send('POST', '/invitations', { email });
  }

  revokeInvitation(id: string): Promise<void> {
    return this.send('DELETE', `/invitations/${encodeURIComponent(id)}`);
  }

  settings(): Promise<AdminSettings> {
    return this.send('GET', '/settings');
  }

  setRegistrationMode(registrationMode: string): Promise<AdminSettings> {
    return this.send('PUT', '/settings', { registrationMode });
  }

  organizations(): Promise<AdminOrganization[]> {
    return this.send('GET', '/organizations');
  }

  deleteOrganization(id: string): Promise<void> {
    return this.send('DELETE', `/organizations/${encodeURIComponent(id)}`);
  }

  setOrganizationCreation(organizationCreation: string): Promise<AdminSettings> {
    return this.send('PUT', '/settings/organization-creation', { organizationCreation });
  }

  mail(): Promise<AdminMail> {
    return this.send('GET', '/mail');
  }

  /** Sends a test message now; a failure throws with the mail server's answer as its message. */
  testMail(email: string): Promise<{ to: string }> {
    return this.send('POST', '/mail/test', { email });
  }

  verifyAudit(): Promise<AuditVerification> {
    return this.send('GET', '/audit/verify');
  }

  private async send<T = any>(method: string, path: string, body?: unknown, withProof = true): Promise<T> {
    const request = async (): Promise<Response> => {
      const headers: Record<string, string> = { Authorization: `Bearer ${await this.session.accessToken()}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      // A stale proof is not sent: the server would refuse it anyway, and this way the answer says why.
      if (withProof && this.proofExpiresAt !== null) headers[PROOF_HEADER] = this.proof!.token;
      return fetch(`${this.base}/admin/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    };
    let response = await request();
    let problem = response.ok ? null : await response.clone().json().catch(() => null);
    if (response.status === 401 && refusalOf(401, problem) === null) {
      // The access token itself was refused (expired early, or rotated elsewhere): refresh once and retry.
      this.session.expireAccessToken();
      response = await request();
      problem = response.ok ? null : await response.clone().json().catch(() => null);
    }
    if (!response.ok) {
      const refusal = refusalOf(response.status, problem);
      if (refusal === 'proof') this.proof = null;
      throw new AdminError(problem?.detail ?? problem?.title ?? `The server answered ${response.status}.`, response.status, refusal);
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }
}
