// How the web vault says "the server sent something unsafe" (malicious-server doc §2.2), mirroring Coffer.Client's
// ServerIntegrityException: a stable check code (the scenario ids of the doc's §0: kdf-downgrade, kdf-floor,
// userkey-type0, …), one plain sentence, and the response class. The screens show it in the blocking dialog of
// screens/unsafe.ts.

/**
 * refuse: a pinned value became weaker or different with nothing local to explain it (hard stop: the session is
 * locked, nothing derived from the answer is sent). quarantine: something new or changed the vault cannot verify
 * (kept unused until the user answers). warn: a harmless-looking regression (shown; work goes on).
 */
export type IntegrityKind = 'refuse' | 'quarantine' | 'warn';

export interface IntegrityIssue {
  /** The check that failed, e.g. `kdf-downgrade`; stable, so tests and users can match it. */
  code: string;
  /** One plain sentence: what the server tried, and what the user should do. */
  message: string;
  kind: IntegrityKind;
  /** What was pinned and what the server sent instead, for the dialog's "old → new" line. */
  before?: string;
  after?: string;
  /** The item a quarantine or an item-level refusal is about. */
  cipherId?: string;
}

/** Thrown where the vault refuses to go on (the web counterpart of ServerIntegrityException). */
export class ServerIntegrityError extends Error implements IntegrityIssue {
  readonly kind: IntegrityKind;
  readonly before?: string;
  readonly after?: string;
  readonly cipherId?: string;

  constructor(
    readonly code: string,
    message: string,
    details: { kind?: IntegrityKind; before?: string; after?: string; cipherId?: string } = {},
  ) {
    super(message);
    this.name = 'ServerIntegrityError';
    this.kind = details.kind ?? 'refuse';
    if (details.before !== undefined) this.before = details.before;
    if (details.after !== undefined) this.after = details.after;
    if (details.cipherId !== undefined) this.cipherId = details.cipherId;
  }

  /** The issue as plain data (what the dialog shows). */
  issue(): IntegrityIssue {
    return { code: this.code, message: this.message, kind: this.kind, before: this.before, after: this.after, cipherId: this.cipherId };
  }
}

export function isIntegrityError(err: unknown): err is ServerIntegrityError {
  return err instanceof ServerIntegrityError;
}

// ---------- account checks (malicious-server doc BW03, BW07, BW11, BW12), as Coffer.Client's AccountChecks ----------

/** KDF settings as the checks compare them (the pin's shape). */
export interface Kdf {
  type: number;
  iterations: number;
  memory: number | null;
  parallelism: number | null;
}

/**
 * The floor: what a Coffer server accepts for any account (Coffer.Protocol's KdfConfig.Validate): PBKDF2-SHA256 at
 * least 600,000 iterations; Argon2id t ≥ 2, m ≥ 15 MiB, p ≥ 1. A Coffer server never registers or keeps an account
 * below it, so a prelogin below it is an attack (or an account Coffer's server would not have made).
 */
export function isBelowFloor(kdf: Kdf): boolean {
  if (kdf.type === 0) return !(kdf.iterations >= 600_000);
  if (kdf.type === 1) return !(kdf.iterations >= 2) || !((kdf.memory ?? 0) >= 15) || !((kdf.parallelism ?? 0) >= 1);
  return true;
}

/** "PBKDF2 600,000" or "Argon2id t=3, m=64 MiB, p=4": how a KDF is named in messages. */
export function describeKdf(kdf: Kdf): string {
  if (kdf.type === 0) return `PBKDF2 ${kdf.iterations.toLocaleString('en-US')}`;
  if (kdf.type === 1) return `Argon2id t=${kdf.iterations}, m=${kdf.memory} MiB, p=${kdf.parallelism}`;
  return `KDF type ${kdf.type}`;
}

/** Another type, or lower in any parameter (iterations; for Argon2id also memory and parallelism). */
export function isWeaker(candidate: Kdf, pinned: Kdf): boolean {
  return candidate.type !== pinned.type
    || candidate.iterations < pinned.iterations
    || (candidate.memory ?? 0) < (pinned.memory ?? 0)
    || (candidate.parallelism ?? 0) < (pinned.parallelism ?? 0);
}

function sameKdf(a: Kdf, b: Kdf): boolean {
  return a.type === b.type && a.iterations === b.iterations && (a.memory ?? null) === (b.memory ?? null) && (a.parallelism ?? null) === (b.parallelism ?? null);
}

/**
 * The prelogin check, before the master password is hashed (BW07): with a pinned KDF, another type or a lower value
 * of any parameter is refused (`kdf-downgrade`); then anything below the floor is refused (`kdf-floor`), pinned or not.
 */
export function checkPreloginKdf(served: Kdf, pinned: Kdf | null | undefined): void {
  if (pinned && isWeaker(served, pinned)) {
    throw new ServerIntegrityError('kdf-downgrade', `The server asked for a weaker password hashing setting than last time (${describeKdf(pinned)} → ${describeKdf(served)}). Refused; nothing was sent.`,
      { before: describeKdf(pinned), after: describeKdf(served) });
  }
  if (isBelowFloor(served)) {
    throw new ServerIntegrityError('kdf-floor', `This account's KDF is weaker than Coffer allows (${describeKdf(served)}). Raise it from a client you trust, then try again.`,
      { after: describeKdf(served) });
  }
}

/** A cross-check (BW07 §3): another place the server names the KDF must equal the one this login hashed with; null is not checked. */
export function checkSameKdf(used: Kdf, reported: Kdf | null, where: string): void {
  if (reported && !sameKdf(used, reported)) {
    throw new ServerIntegrityError('kdf-mismatch',
      `The server named another password hashing setting in ${where} (${describeKdf(used)} → ${describeKdf(reported)}) than the one this login used. Refused; if you changed it on another device, log in again.`,
      { before: describeKdf(used), after: describeKdf(reported) });
  }
}

/** A KDF as the wire names it in any casing and shape (`kdfType`/`type`/`Kdf`, `iterations`/`KdfIterations`, …). */
export function kdfOf(raw: unknown): Kdf | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = lower(raw as Record<string, unknown>);
  const type = o.kdftype ?? o.type ?? o.kdf;
  const iterations = o.iterations ?? o.kdfiterations;
  if (typeof type !== 'number' || typeof iterations !== 'number') return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return { type, iterations, memory: num(o.memory ?? o.kdfmemory), parallelism: num(o.parallelism ?? o.kdfparallelism) };
}

function lower(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}

/** A member by case-insensitive name (the token response speaks PascalCase, the rest camelCase). */
export function prop(o: unknown, name: string): unknown {
  if (!o || typeof o !== 'object') return undefined;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) if (k.toLowerCase() === want) return v;
  return undefined;
}

function hasValue(v: unknown): boolean {
  return v !== null && v !== undefined && v !== '';
}

function keysMissing(what: string): ServerIntegrityError {
  return new ServerIntegrityError('keys-missing',
    `The server sent no ${what} for this account. Coffer never creates new account keys in reply to that (a server could then read what it encrypts). Refused; nothing was sent.`);
}

function keyConnector(): ServerIntegrityError {
  return new ServerIntegrityError('kc-convert',
    'This server asked to remove your master password (Key Connector or trusted-device unlock). Coffer does not do that; nothing was sent, and the vault is locked.');
}

/**
 * The raw answer to a password grant, before anything in it is used: Key Connector or trusted-device unlock options,
 * a `KeyConnectorUrl` or `HasMasterPassword: false` are refused (`kc-convert`, BW03: Coffer has no Key Connector);
 * a missing protected user key or private key is refused (`keys-missing`, BWb1: no key pair is ever generated for an
 * existing account). The access token's claims are never read. Then the KDF cross-check against the one hashed with.
 */
export function checkTokenAnswer(token: unknown, used: Kdf): void {
  const options = prop(token, 'UserDecryptionOptions');
  if (hasValue(prop(token, 'KeyConnectorUrl')) || hasValue(prop(options, 'KeyConnectorOption')) || hasValue(prop(options, 'TrustedDeviceOption'))
    || prop(options, 'HasMasterPassword') === false) {
    throw keyConnector();
  }
  const unlock = prop(options, 'MasterPasswordUnlock');
  if (!hasValue(prop(token, 'Key')) && !hasValue(prop(unlock, 'MasterKeyEncryptedUserKey'))) throw keysMissing('protected user key');
  if (!hasValue(prop(token, 'PrivateKey')) && !hasValue(prop(prop(prop(token, 'AccountKeys'), 'publicKeyEncryptionKeyPair'), 'wrappedPrivateKey'))) {
    throw keysMissing('private key');
  }
  if (options && typeof options === 'object' && !hasValue(unlock)) throw keysMissing('master-password unlock data');
  checkSameKdf(used, kdfOf({ kdf: prop(token, 'Kdf'), kdfIterations: prop(token, 'KdfIterations'), kdfMemory: prop(token, 'KdfMemory'), kdfParallelism: prop(token, 'KdfParallelism') }), 'the login answer');
  checkSameKdf(used, kdfOf(prop(unlock, 'Kdf')), 'the login answer\'s unlock options');
}

/**
 * The raw sync, before anything in it is used: Key Connector anywhere (`profile.usesKeyConnector`, an organization
 * with `keyConnectorEnabled` or a `keyConnectorUrl`, unlock options) is `kc-convert`; no protected user key, private
 * key or master-password unlock data is `keys-missing`; a KDF in the unlock data other than `used` is `kdf-mismatch`.
 */
export function checkSyncAnswer(sync: unknown, used: Kdf | null): void {
  const profile = prop(sync, 'profile');
  const decryption = prop(sync, 'userDecryption');
  const orgs = prop(profile, 'organizations');
  if (prop(profile, 'usesKeyConnector') === true
    || (Array.isArray(orgs) && orgs.some((o) => prop(o, 'keyConnectorEnabled') === true || hasValue(prop(o, 'keyConnectorUrl'))))
    || hasValue(prop(decryption, 'keyConnectorOption')) || hasValue(prop(decryption, 'trustedDeviceOption'))) {
    throw keyConnector();
  }
  if (!hasValue(prop(profile, 'key'))) throw keysMissing('protected user key');
  if (!hasValue(prop(profile, 'privateKey')) && !hasValue(prop(prop(prop(profile, 'accountKeys'), 'publicKeyEncryptionKeyPair'), 'wrappedPrivateKey'))) {
    throw keysMissing('private key');
  }
  const unlock = prop(decryption, 'masterPasswordUnlock');
  if (!hasValue(prop(unlock, 'masterKeyEncryptedUserKey'))) throw keysMissing('master-password unlock data');
  if (used) checkSameKdf(used, kdfOf(prop(unlock, 'kdf')), 'the sync');
}

/**
 * The protected user key must be a well-formed type 2 EncString (AES-CBC with HMAC), checked before the password is
 * used on it: type 0 (no MAC) is the BW11/BW12 forgery (`userkey-type0`), any other type or a malformed value is
 * `userkey-type`, none at all `keys-missing`.
 */
export function checkProtectedUserKey(protectedUserKey: string | null | undefined): void {
  if (!protectedUserKey) throw keysMissing('protected user key');
  const dot = protectedUserKey.indexOf('.');
  const type = dot > 0 ? protectedUserKey.slice(0, dot) : '';
  if (type === '0') {
    throw new ServerIntegrityError('userkey-type0', 'The server sent your user key in the unauthenticated legacy format (type 0), which a server can forge. Refused; nothing was decrypted or uploaded.');
  }
  const parts = protectedUserKey.slice(dot + 1).split('|');
  if (type !== '2' || parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9+/]+={0,2}$/.test(p))) {
    throw new ServerIntegrityError('userkey-type', `The server sent your user key as encryption type ${type || '(none)'}, or malformed; only type 2 is accepted. Refused; nothing was decrypted.`);
  }
}

/** A decrypted user key must be exactly 64 bytes (BW12): 32 is the legacy no-MAC form. */
export function checkUserKeyLength(length: number): void {
  if (length !== 64) {
    throw new ServerIntegrityError('userkey-32byte', `Your user key decrypts to ${length} bytes; Coffer only uses 64-byte keys (encryption and MAC). Refused; nothing was encrypted with it.`);
  }
}

/** A pinned user key id that differs from the one that just MAC-verified under the master key: a rotation done elsewhere. */
export function userKeyRotated(pinned: string, now: string): IntegrityIssue {
  return {
    code: 'userkey-rotated', kind: 'warn', before: `${pinned.slice(0, 8)}…`, after: `${now.slice(0, 8)}…`,
    message: 'Your user key changed since this browser last unlocked. It decrypts with your master password, so it was rotated from another client; if that was not you, change your master password.',
  };
}
