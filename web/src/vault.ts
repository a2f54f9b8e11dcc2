// The session: tokens, the account's key material and the synced vault. Only the user key opens the vault and it
// lives here alone, as non-extractable WebCrypto keys; locking drops it and every decrypted value with it.
//
// Storage: localStorage keeps the device id, the last e-mail and preferences (nothing secret). sessionStorage
// (this tab only, gone when it closes) keeps the tokens and the protected user key, which is encrypted under the
// master key, so a reload asks for the master password again instead of a full login.
import { Api, kdfFromPrelogin, kdfFromToken, type Tokens, type TokenResponse } from './api';
import {
  decryptBytes, deriveMasterKey, makeOrganizationKeys, stretchedKey, wrapForPublicKey, masterPasswordHash, normalizeSalt, publicKeyOf, unwrapOrgKey, unwrapPrivateKey,
  unwrapUserKey, userKeyId, SymmetricKey, type KdfConfig,
} from './crypto';
import { decryptAttachments, encryptAttachment, fetchAttachment, type AttachmentView } from './attachments';
import {
  checkPreloginKdf, checkProtectedUserKey, checkSyncAnswer, checkTokenAnswer, checkUserKeyLength, isIntegrityError, prop, ServerIntegrityError, userKeyRotated,
  type IntegrityIssue, type Kdf,
} from './integrity';
import { createPins, defaultPinStore, publicKeyDigest, type AccountPins } from './pins';
import { acceptItem, acceptVault, checkEcho, checkVault, forgetOwnDelete, held, pinOwnWrite, type VaultFinding } from './vaultchecks';
import { FilesApi, type Progress } from './filesapi';
import { decryptItem, decryptListEntry, decryptSubtitle, encryptForShare, encryptItem, itemKey } from './items';
import { decryptSend, encryptSend, encryptSendFile, SendType, type SendDraft, type SendView } from './sends';
import type { CipherRequest, CipherResponse, CollectionView, SendResponse, FolderView, ItemView, ListEntry, OrganizationView, PolicyResponse, SyncResponse } from './models';
import { OrgApi } from './orgapi';
import { EmergencyApi } from './emergencyapi';
import { guardOrganizations, hiddenOrganizations, pinCreatedOrganization, type GuardContext } from './orgguard';
import { buildRotation, planRotation, type RotationData, type RotationPlan } from './rotation';
import { go } from './router';
import { decryptString, encryptString } from './crypto';
import { passkeyPrfSalt, unwrapUserKeyWithPrf, userKeyBytes } from './crypto';
import { assertionJson, getAssertion, requestOptions } from './webauthn';

const SESSION_KEY = 'coffer.session';

interface StoredSession {
  email: string;
  kdf: KdfConfig;
  protectedUserKey: string;
  tokens: Tokens | null;
}

export function deviceInfo() {
  let identifier = localStorage.getItem('coffer.deviceId');
  if (!identifier) {
    identifier = crypto.randomUUID();
    localStorage.setItem('coffer.deviceId', identifier);
  }
  // Bitwarden's DeviceType numbers for web browsers, so the sessions list names the browser.
  const ua = navigator.userAgent;
  const [type, name] = /Edg\//.test(ua) ? [12, 'Edge'] : /Firefox\//.test(ua) ? [10, 'Firefox'] : /Chrome\//.test(ua) ? [9, 'Chrome'] : /Safari\//.test(ua) ? [17, 'Safari'] : [14, 'Browser'];
  return { identifier, type, name: `${name} (web vault)` };
}

/** The key an item's fields are under: the user key for a personal item, else its organization's key. */
function keyIn(cipher: { organizationId?: string | null }, userKey: SymmetricKey, orgKeys: ReadonlyMap<string, SymmetricKey>): SymmetricKey {
  if (!cipher.organizationId) return userKey;
  const key = orgKeys.get(cipher.organizationId);
  if (!key) throw new Error('No key for this organization: sync again, or ask an admin to confirm you.');
  return key;
}

/** A sync download on its way: `sequence` orders it among the syncs this page started. */
interface StartedSync {
  sequence: number;
  body: Promise<SyncResponse>;
}

/** The pin form of a KDF. */
function kdfPin(kdf: KdfConfig): Kdf {
  return { type: kdf.kdfType, iterations: kdf.iterations, memory: kdf.kdfType === 1 ? kdf.memory ?? null : null, parallelism: kdf.kdfType === 1 ? kdf.parallelism ?? null : null };
}

/** What the user answered to an integrity question (screens/unsafe.ts). */
export type IssueAnswer = 'log-out' | 'keep-hidden' | 'accept' | 'ok';

export class Vault {
  readonly api = new Api(deviceInfo());
  /** Where the pins live (IndexedDB); they outlive log-out and are never uploaded (malicious-server doc §2.2). */
  pinStore = defaultPinStore();
  /** This account's pins, loaded at prelogin/unlock; null before. */
  private pins: AccountPins | null = null;
  /**
   * Shows a finding (warning, quarantine question, item refusal) and resolves with the user's answer; the app sets it
   * to the "Your server sent something unsafe" dialog. Without one, every question is answered "keep hidden".
   */
  onIssue: (issue: IntegrityIssue) => Promise<IssueAnswer> = async () => 'keep-hidden';
  /** Called when a background sync refuses the session (the app shows the dialog and logs out). */
  onRefused: (err: ServerIntegrityError) => void = () => {};
  /** Items the last sync held back (quarantined or refused), with their findings: not listed, not opened, never uploaded. */
  private heldCiphers = new Map<string, { cipher: CipherResponse; findings: VaultFinding[] }>();
  /** Findings the user already answered "keep hidden" in this session (id + code), not asked again until reload. */
  private answered = new Set<string>();
  /** Items whose item key the server dropped (cipher-key-dropped): kept as this vault wrote them, never uploaded again. */
  private blocked = new Set<string>();
  email = '';
  kdf: KdfConfig | null = null;
  protectedUserKey = '';
  userId = '';
  userKeyId: string | null = null;
  twoFactorEnabled = false;

  readonly orgApi = new OrgApi(this.api);
  readonly files = new FilesApi(this.api);
  readonly emergencyApi = new EmergencyApi(this.api);
  /** The account's private key as synced (under the user key). */
  private protectedPrivateKey: string | null = null;
  /** True from a key rotation's request until this browser has logged in again: the LogOut push it causes is its own. */
  rotatingKey = false;
  /** The last sync as it passed the checks, before the organization screening: what a key rotation re-encrypts. */
  private checkedSync: SyncResponse | null = null;

  private userKey: SymmetricKey | null = null;
  /** The account's RSA private key (non-extractable): opens the organization keys; dropped on lock. */
  private privateKey: CryptoKey | null = null;
  private orgKeys = new Map<string, SymmetricKey>();
  /** The wrapped organization keys as synced, for re-wrapping to a member at confirmation. */
  private wrappedOrgKeys = new Map<string, string>();
  private ciphers = new Map<string, CipherResponse>();
  /** The account's Sends as synced (encrypted); decrypted on the Send screens only. */
  private sendResponses = new Map<string, SendResponse>();
  organizations: OrganizationView[] = [];
  collections: CollectionView[] = [];
  policies: PolicyResponse[] = [];
  entries: ListEntry[] = [];
  folders: FolderView[] = [];
  /** Listeners for "the list changed" (a subtitle arrived, an item was saved). */
  private listeners = new Set<() => void>();

  constructor() {
    this.api.onTokens = () => this.save();
    // A refused refresh token means the session was ended elsewhere (log out everywhere, password change).
    this.api.onLoggedOut = () => {
      this.forget();
      go('/login');
    };
    const stored = sessionStorage.getItem(SESSION_KEY);
    if (stored) {
      const s = JSON.parse(stored) as StoredSession;
      this.email = s.email;
      this.kdf = s.kdf;
      this.protectedUserKey = s.protectedUserKey;
      this.api.tokens = s.tokens;
    }
  }

  get loggedIn(): boolean {
    return this.api.tokens !== null && this.protectedUserKey !== '';
  }

  get unlocked(): boolean {
    return this.userKey !== null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private save(): void {
    if (!this.protectedUserKey || !this.api.tokens) {
      sessionStorage.removeItem(SESSION_KEY);
      return;
    }
    const s: StoredSession = { email: this.email, kdf: this.kdf!, protectedUserKey: this.protectedUserKey, tokens: this.api.tokens };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  }

  // ---------- login, unlock, lock ----------

  /** The pins of this origin and e-mail (a fresh record when this browser never unlocked the account). */
  private async loadPins(email: string): Promise<AccountPins> {
    return (await this.pinStore.load(location.origin, email)) ?? createPins(location.origin, email);
  }

  private async savePins(): Promise<void> {
    if (this.pins) await this.pinStore.save(this.pins);
  }

  /** The account's KDF was changed from this browser (settings): the pin becomes the new KDF, lower or higher. */
  async pinOwnKdfChange(kdf: KdfConfig): Promise<void> {
    const pins = (this.pins ??= await this.loadPins(this.email));
    pins.kdf = kdfPin(kdf);
    await this.savePins();
  }

  /**
   * Prelogin, then the KDF checks before anything is derived (malicious-server doc BW07): below Coffer's floor is
   * refused (`kdf-floor`), and so is anything weaker than the KDF pinned at this account's last unlock here
   * (`kdf-downgrade`). Throws ServerIntegrityError; nothing is hashed or sent after it.
   */
  async prelogin(email: string): Promise<KdfConfig> {
    const kdf = kdfFromPrelogin(await this.api.prelogin(normalizeSalt(email)));
    const pins = await this.loadPins(email);
    checkPreloginKdf(kdfPin(kdf), pins.kdf);
    return kdf;
  }

  /**
   * Opens the protected user key with the master key, checked as malicious-server doc BW11/BW12 ask: type 2 only
   * (before the key is touched), exactly 64 bytes, and its key id against the pin (another id that MAC-verified is a
   * rotation done elsewhere: re-pinned, with a warning). Pins the KDF it unlocked with (a higher one replaces the pin).
   */
  private async openUserKey(protectedUserKey: string, masterKey: Uint8Array<ArrayBuffer>, kdf: KdfConfig): Promise<SymmetricKey> {
    checkProtectedUserKey(protectedUserKey);
    const raw = await decryptBytes(protectedUserKey, await stretchedKey(masterKey));
    try {
      checkUserKeyLength(raw.length);
      const id = await userKeyId(raw);
      const pins = this.pins!;
      if (pins.userKeyId && pins.userKeyId !== id) void this.onIssue(userKeyRotated(pins.userKeyId, id));
      pins.kdf = kdfPin(kdf);
      pins.userKeyId = id;
      pins.protectedUserKeyType = 2;
      this.userKeyId = id;
      return await SymmetricKey.fromBytes(raw);
    } finally {
      raw.fill(0);
    }
  }

  /** Derives once, then logs in with the hash and opens the user key with the same master key. */
  async login(email: string, password: string, kdf: KdfConfig, twoFactor?: { provider: string; token: string; remember: boolean }): Promise<void> {
    this.pins = await this.loadPins(email);
    checkPreloginKdf(kdfPin(kdf), this.pins.kdf);
    const masterKey = await deriveMasterKey(password, normalizeSalt(email), kdf);
    try {
      const hash = await masterPasswordHash(masterKey, password);
      const token: TokenResponse = await this.api.login(email.trim(), hash, twoFactor);
      performance.mark('coffer-token');
      // Key Connector, missing keys, another KDF: refused before the answer is used or anything else is asked.
      checkTokenAnswer(token, kdfPin(kdf));
      const protectedUserKey = (token.Key ?? token.key ?? prop(prop(prop(token, 'UserDecryptionOptions'), 'MasterPasswordUnlock'), 'MasterKeyEncryptedUserKey')) as string;
      checkProtectedUserKey(protectedUserKey);
      // The vault downloads while the user key is unwrapped.
      const sync = this.startSync();
      this.email = normalizeSalt(email);
      this.kdf = kdf;
      this.protectedUserKey = protectedUserKey;
      this.userKey = await this.openUserKey(protectedUserKey, masterKey, kdf);
      localStorage.setItem('coffer.email', this.email);
      this.save();
      await this.apply(sync);
    } finally {
      masterKey.fill(0);
    }
  }

  /**
   * Log in with a passkey (sharing doc §5.6): the browser offers the passkeys it holds for this site, the assertion logs
   * in, and a PRF passkey's output opens the user key through its key set. True when the vault is open; false when the
   * passkey has no PRF key set (or the browser gave no PRF output), so the master password must still unlock it.
   */
  async loginWithPasskey(): Promise<boolean> {
    const { options, token } = await this.api.passkeyLoginOptions();
    const { credential, prf } = await getAssertion(requestOptions(options), await passkeyPrfSalt());
    try {
      const response = await this.api.loginWithPasskey(token, assertionJson(credential));
      const sync = this.startSync();
      const body = await sync.body;
      this.email = normalizeSalt(body.profile.email);
      this.pins = await this.loadPins(this.email);
      // No prelogin here: the KDF the lock screen will derive with comes from this answer, so it meets the same checks.
      checkPreloginKdf(kdfPin(kdfFromToken(response)), this.pins.kdf);
      this.kdf = kdfFromToken(response);
      this.protectedUserKey = (response.Key ?? response.key)!;
      localStorage.setItem('coffer.email', this.email);
      this.save();
      const option = response.UserDecryptionOptions?.WebAuthnPrfOption;
      if (!option || !prf) return false;
      this.userKey = await unwrapUserKeyWithPrf(prf, option.EncryptedPrivateKey, option.EncryptedUserKey);
      await this.apply(sync);
      return true;
    } finally {
      prf?.fill(0);
    }
  }

  /** The user key's bytes, opened with the master password: a passkey's PRF key set wraps them (settings). */
  userKeyBytes(password: string): Promise<Uint8Array<ArrayBuffer>> {
    return userKeyBytes(this.protectedUserKey, password, this.email, this.kdf!).catch(() => {
      throw new Error('Invalid master password.');
    });
  }

  /** The user key, for wrapping a passkey's public key (settings); the vault must be unlocked. */
  currentUserKey(): SymmetricKey {
    return this.key();
  }

  /** Unlock with the master password alone, from the protected user key kept since login. */
  async unlock(password: string): Promise<void> {
    // The KDF runs while the vault downloads: the tokens outlive a lock, so the sync needs no password. The
    // download is dropped unread if the password turns out wrong.
    this.pins = await this.loadPins(this.email);
    checkPreloginKdf(kdfPin(this.kdf!), this.pins.kdf);
    checkProtectedUserKey(this.protectedUserKey);
    const sync = this.startSync();
    const masterKey = await deriveMasterKey(password, this.email, this.kdf!);
    performance.mark('coffer-kdf');
    try {
      this.userKey = await this.openUserKey(this.protectedUserKey, masterKey, this.kdf!).catch((err: unknown) => {
        throw isIntegrityError(err) ? err : new Error('Invalid master password.');
      });
    } finally {
      masterKey.fill(0);
    }
    await this.apply(sync);
  }

  /** Checks a typed master password against the account and returns its login hash for re-verification. */
  async verificationHash(password: string): Promise<string> {
    const masterKey = await deriveMasterKey(password, this.email, this.kdf!);
    try {
      await unwrapUserKey(this.protectedUserKey, masterKey).catch(() => {
        throw new Error('Invalid master password.');
      });
      return await masterPasswordHash(masterKey, password);
    } finally {
      masterKey.fill(0);
    }
  }

  /** Drops the user key and every decrypted value; the encrypted session stays for the next unlock. */
  lock(): void {
    this.userKey = null;
    this.privateKey = null;
    this.orgKeys.clear();
    this.wrappedOrgKeys.clear();
    this.ciphers.clear();
    this.checkedSync = null;
    this.heldCiphers.clear();
    this.sendResponses.clear();
    this.entries = [];
    this.folders = [];
    this.organizations = [];
    this.collections = [];
    this.policies = [];
    this.changed();
  }

  /** Forgets the session entirely (this device only). */
  forget(): void {
    this.lock();
    this.api.clear();
    this.protectedUserKey = '';
    this.kdf = null;
    this.pins = null;
    this.blocked.clear();
    this.answered.clear();
    sessionStorage.removeItem(SESSION_KEY);
  }

  private key(): SymmetricKey {
    if (!this.userKey) throw new Error('The vault is locked.');
    return this.userKey;
  }

  /** The key an item's fields (or its own key) are under: its organization's key, else the user key. */
  private keyFor(cipher: { organizationId?: string | null }): SymmetricKey {
    return keyIn(cipher, this.key(), this.orgKeys);
  }

  /** The organization's key, for collection names and items (organizations doc §2.5). */
  orgKey(organizationId: string): SymmetricKey {
    return this.keyFor({ organizationId });
  }

  /** The caller's own type-4 copy of an organization key and the private key that opens it (confirmation, §2.4). */
  orgKeyMaterial(organizationId: string): { wrapped: string; privateKey: CryptoKey } {
    const wrapped = this.wrappedOrgKeys.get(organizationId);
    if (!wrapped || !this.privateKey) throw new Error('No key for this organization.');
    return { wrapped, privateKey: this.privateKey };
  }

  /** The account's RSA private key: opens what others wrapped for this account (emergency access, sharing doc §4.4). */
  ownPrivateKey(): CryptoKey {
    if (!this.privateKey) throw new Error('This account has no key pair yet: sync again.');
    return this.privateKey;
  }

  /**
   * The user key wrapped for another account's public key (type 4), once the master password is checked: what an
   * emergency access confirm sends (§4.4). The user key here is non-extractable, so its bytes come from the copy
   * protected by the master key, and never outlive this call.
   */
  async wrapUserKeyFor(password: string, publicKey: string): Promise<string> {
    const masterKey = await deriveMasterKey(password, this.email, this.kdf!);
    try {
      const raw = await decryptBytes(this.protectedUserKey, await stretchedKey(masterKey)).catch(() => {
        throw new Error('Invalid master password.');
      });
      try {
        return await wrapForPublicKey(raw, publicKey);
      } finally {
        raw.fill(0);
      }
    } finally {
      masterKey.fill(0);
    }
  }

  // ---------- user key rotation (rotation.ts) ----------

  /**
   * What a key rotation will do, from a fresh, checked sync and the server's rotation data, checked against this
   * browser's pins (rotation.planRotation): throws the `org-overwrite` or `ea-pk-swap` refusal before anything is built.
   */
  async planRotation(): Promise<RotationPlan> {
    // Not this.sync(): a refusal goes to the caller alone, which shows it once.
    this.key();
    await this.apply(this.startSync());
    const [data, trustedContacts] = await Promise.all([
      this.api.request<RotationData>('GET', '/api/accounts/key-management/key-rotation-data'),
      this.emergencyApi.trusted(),
    ]);
    const pins = await this.updatePins(() => {});
    const hidden = new Set(hiddenOrganizations().map((o) => o.id));
    return planRotation(data, {
      pins,
      syncOrganizations: this.checkedSync?.profile.organizations ?? [],
      trustedOrganization: (id) => !!pins.organizations[id] && !hidden.has(id),
      trustedContacts,
      userPublicKey: async (id) => (await this.orgApi.userPublicKey(id)).publicKey,
      organizationPublicKey: async (id) => (await this.orgApi.publicKey(id)).publicKey,
    });
  }

  /**
   * Rotates the user key (account doc §3.3) as planned: every grantee in the plan must be pinned by now. The new key's
   * id is pinned first (so the next unlock does not take it for a rotation done elsewhere); the server then ends every
   * session, this one included, so the vault logs in again with the same password and opens the new key. Returns the
   * number of items re-encrypted; throws (nothing sent) on a wrong password or data not under the user key, and
   * `relogin` is false when logging in again needs more than the password (two-step login).
   */
  async rotateUserKey(password: string, plan: RotationPlan): Promise<{ items: number; relogin: boolean }> {
    const sync = this.checkedSync;
    if (!sync || !this.kdf) throw new Error('The vault is locked.');
    const pins = await this.updatePins(() => {});
    const unpinned = plan.grantees.find((g) => !pins.people[g.granteeId.toLowerCase()]);
    if (unpinned) throw new Error(`Compare the fingerprint phrase of ${unpinned.email} first.`);
    const built = await buildRotation({ sync, protectedUserKey: this.protectedUserKey, email: this.email, kdf: this.kdf }, password, plan.grantees, plan.passkeys);
    const { email, kdf } = this;
    this.rotatingKey = true;
    try {
      // A refused request (a vault changed meanwhile, say) leaves the account and this session as they were.
      await this.api.request('POST', '/api/accounts/key-management/rotate-user-account-keys', built.request);
      await this.updatePins((p) => {
        p.userKeyId = built.userKeyId;
      });
      this.forget();
      try {
        await this.login(email, password, kdf);
        return { items: built.items, relogin: true };
      } catch (err) {
        this.forget();
        if (isIntegrityError(err)) throw err;
        return { items: built.items, relogin: false };
      }
    } finally {
      this.rotatingKey = false;
    }
  }

  // ---------- sync and the list ----------

  /**
   * Full sync. Names are decrypted before the list shows (search needs them); the lines under the names
   * follow in the background, so a large vault shows its list after one decryption per item.
   */
  async sync(): Promise<void> {
    this.key();
    try {
      await this.apply(this.startSync());
    } catch (err) {
      if (isIntegrityError(err) && !err.cipherId) this.onRefused(err);
      throw err;
    }
  }

  /** What the organization screening asks of the session: the organization's public key, and a fresh sync. */
  orgGuardContext(): GuardContext {
    return { email: this.email, organizationPublicKey: async (orgId) => (await this.orgApi.publicKey(orgId)).publicKey, resync: () => this.sync() };
  }

  /**
   * Changes this account's pins and saves them at once: the one in-memory record the checks of every sync write to
   * too (loaded at login or unlock), so a pin made between syncs (an organization created or accepted here, a person's
   * key confirmed) is not lost to the next sync's save.
   */
  async updatePins(change: (pins: AccountPins) => void | Promise<void>): Promise<AccountPins> {
    const pins = (this.pins ??= await this.loadPins(this.email));
    await change(pins);
    await this.savePins();
    return pins;
  }

  /** Sends a sync request; its answer goes to apply(). */
  private startSync(): StartedSync {
    const body = this.api.sync();
    // Read by apply(); until then a failure (a wrong password dropping the download unread) is no unhandled rejection.
    body.catch(() => {});
    this.lastSyncSent = ++this.requestsSent;
    return { sequence: this.lastSyncSent, body };
  }

  /**
   * Applies sync answers one at a time, in the order their requests were sent: an answer whose request went out
   * before what the screens show (the last sync applied, or a change made here since) shows an older vault, and is
   * dropped unread. (Live sync, the Sync button, an organization trusted and a key rotation each sync on their own;
   * their answers can arrive in any order.)
   */
  private async apply(sync: StartedSync): Promise<void> {
    const body = await sync.body;
    const run = this.applying.then(() => (sync.sequence < this.shownAsOf ? this.drop() : this.applyAnswer(body, sync.sequence)));
    this.applying = run.catch(() => {});
    return run;
  }

  /** Numbers the sync requests sent and the changes made here, in order. */
  private requestsSent = 0;
  /** The number of the newest sync or change the screens show: a sync answer sent before it is older. */
  private shownAsOf = 0;
  private lastSyncSent = 0;
  private lastChangeHere = 0;
  private applying: Promise<void> = Promise.resolve();

  /** A change made here was answered: syncs sent before it may not hold it and are dropped when they arrive. */
  private changedHere(): void {
    this.lastChangeHere = this.shownAsOf = ++this.requestsSent;
  }

  /**
   * Drops a sync answer older than what the screens show. When what it predates is a change made here and no sync
   * went out since, one is sent now: the dropped answer may have carried other devices' changes, whose notifications
   * it answered.
   */
  private drop(): void {
    if (this.lastSyncSent < this.lastChangeHere) void this.sync().catch(() => {});
  }

  /**
   * Applies a sync after its checks (malicious-server doc §2.2): the account checks (Key Connector, missing keys, the
   * KDF, the protected user key's type), then the vault checks against the pins (vaultchecks.ts). A refusal throws
   * before anything of the sync is used; held items (quarantined, refused) stay out of the list; warnings and
   * questions go to onIssue; the pins are updated and saved.
   */
  private async applyAnswer(body: SyncResponse, sequence: number): Promise<void> {
    performance.mark('coffer-synced');
    const key = this.key();
    checkSyncAnswer(body, this.kdf ? kdfPin(this.kdf) : null);
    if (body.profile.key !== this.protectedUserKey) {
      // A key rotated elsewhere is used from the next unlock on; it must be type 2 like the one it replaces.
      checkProtectedUserKey(body.profile.key);
      this.protectedUserKey = body.profile.key;
      this.save();
    }
    const revisionDate = this.api.accountRevisionDate().then((ms) => (typeof ms === 'number' ? new Date(ms).toISOString() : null), () => null);
    const pins = (this.pins ??= await this.loadPins(this.email));
    const checked = body;
    // Organizations this browser has not pinned, or that come with another key than pinned, are left out before the
    // vault checks see their items (orgguard.ts).
    body = await guardOrganizations(body, key, this.orgGuardContext());
    const revision = await revisionDate;
    let findings = await checkVault(pins, body.ciphers, revision);
    if (findings.some((f) => f.cipherId)) {
      // The questions name the items: their names decrypt (locally) once the checks have run.
      const names = new Map<string, string>();
      for (const c of body.ciphers) names.set(c.id.toLowerCase(), (await this.listEntry(c)).name);
      findings = await checkVault(pins, body.ciphers, revision, (id) => `"${names.get(id) ?? id}"`);
    }
    pins.userId = body.profile.id.toLowerCase();
    if (body.profile.privateKey && !pins.publicKeySha256) {
      pins.publicKeySha256 = await publicKeyOf(body.profile.privateKey, key).then(publicKeyDigest, () => null);
    }
    await acceptVault(pins, body.ciphers, revision, findings);
    await this.savePins();
    const hold = held(findings);
    const heldCiphers = new Map(body.ciphers.filter((c) => hold.has(c.id.toLowerCase())).map((c) => [c.id, { cipher: c, findings: findings.filter((f) => f.cipherId === c.id.toLowerCase()) }]));
    body = { ...body, ciphers: body.ciphers.filter((c) => !hold.has(c.id.toLowerCase())) };
    // Everything the screens read is decrypted first and swapped in at once, with no await in between: a screen
    // opened while a sync is being applied sees the previous vault or the new one, never the new items with the
    // previous (or no) organization keys.
    const orgs = await this.openOrganizations(body, key);
    const keyFor = (cipher: { organizationId?: string | null }) => keyIn(cipher, key, orgs.orgKeys);
    const [folders, entries] = await Promise.all([
      Promise.all(body.folders.map(async (f) => ({ id: f.id, name: await decryptString(f.name, key).catch(() => '[cannot decrypt]') }))),
      Promise.all(body.ciphers.map((c) => this.listEntry(c, keyFor))),
    ]);
    // Locked (or logged out) while this sync was decrypted, or changed here meanwhile: nothing of it is kept.
    if (this.userKey !== key) return;
    if (sequence < this.shownAsOf) return this.drop();
    this.shownAsOf = sequence;
    this.checkedSync = checked;
    this.userId = body.profile.id;
    this.twoFactorEnabled = body.profile.twoFactorEnabled;
    this.heldCiphers = heldCiphers;
    this.ciphers = new Map(body.ciphers.map((c) => [c.id, c]));
    this.sendResponses = new Map((body.sends ?? []).map((s) => [s.id, s]));
    this.protectedPrivateKey = body.profile.privateKey;
    this.privateKey = orgs.privateKey;
    this.orgKeys = orgs.orgKeys;
    this.wrappedOrgKeys = orgs.wrappedOrgKeys;
    this.organizations = orgs.organizations;
    this.collections = orgs.collections;
    this.policies = body.policies ?? [];
    this.folders = folders.sort((a, b) => collator.compare(a.name, b.name));
    this.entries = entries.sort(compareEntries);
    performance.mark('coffer-decrypted');
    this.changed();
    void this.fillSubtitles(key);
    for (const f of findings) if (f.kind === 'warn') void this.onIssue(f);
    // One review at a time: a sync during a review asks only what is still unanswered once it ends.
    this.reviewing = this.reviewing.then(() => this.review(), () => this.review());
  }

  private reviewing: Promise<void> = Promise.resolve();

  /** Items held back by the last sync, for the list's notice. */
  heldCount(): number {
    return this.heldCiphers.size;
  }

  /**
   * Asks about each held item, one question at a time (the dialog queues them): "I did this" accepts the server's
   * version of a quarantined item (pinned as it is now, listed again); "Keep hidden" leaves it out for this session;
   * "Log out" ends the session.
   */
  private async review(): Promise<void> {
    for (const [id, { cipher, findings }] of [...this.heldCiphers]) {
      for (const finding of findings) {
        const asked = `${id}\n${finding.code}`;
        if (this.answered.has(asked)) continue;
        const answer = await this.onIssue(finding);
        if (!this.heldCiphers.has(id)) return;
        if (answer === 'log-out') return;
        this.answered.add(asked);
        if (answer !== 'accept') break;
        if (findings.every((f) => f.kind === 'quarantine' && (f === finding || this.answered.has(`${id}\n${f.code}`)))) {
          await acceptItem(this.pins!, cipher);
          await this.savePins();
          this.heldCiphers.delete(id);
          await this.store(cipher);
        }
      }
    }
  }
  /**
   * The memberships of sync's profile (Confirmed only, organizations doc §7.1): each organization key opened with
   * the account's private key, then the collection names under it. An organization whose key does not open is
   * listed without its items (they show as "[cannot decrypt]"). Returns the new state; apply() swaps it in.
   */
  private async openOrganizations(body: SyncResponse, userKey: SymmetricKey) {
    const orgs = body.profile.organizations ?? [];
    const privateKey = body.profile.privateKey ? await unwrapPrivateKey(body.profile.privateKey, userKey).catch(() => null) : null;
    const orgKeys = new Map<string, SymmetricKey>();
    const wrappedOrgKeys = new Map<string, string>();
    await Promise.all(orgs.map(async (o) => {
      if (!privateKey || !o.key) return;
      wrappedOrgKeys.set(o.id, o.key);
      const orgKey = await unwrapOrgKey(o.key, privateKey).catch(() => null);
      if (orgKey) orgKeys.set(o.id, orgKey);
    }));
    const organizations: OrganizationView[] = orgs
      .map((o) => ({ id: o.id, name: o.name, type: o.type, organizationUserId: o.organizationUserId ?? null, permissions: o.permissions ?? {}, enabled: o.enabled }))
      .sort((a, b) => collator.compare(a.name, b.name));
    const collections: CollectionView[] = await Promise.all((body.collections ?? []).map(async (c) => {
      const orgKey = orgKeys.get(c.organizationId);
      const name = orgKey ? await decryptString(c.name, orgKey).catch(() => '[cannot decrypt]') : '[cannot decrypt]';
      return { id: c.id, organizationId: c.organizationId, name, readOnly: c.readOnly, hidePasswords: c.hidePasswords, manage: c.manage };
    }));
    return { privateKey, orgKeys, wrappedOrgKeys, organizations, collections: collections.sort((a, b) => collator.compare(a.name, b.name)) };
  }

  private async listEntry(cipher: CipherResponse, keyFor = (c: CipherResponse) => this.keyFor(c)): Promise<ListEntry> {
    try {
      return await decryptListEntry(cipher, keyFor(cipher));
    } catch {
      return { ...(await decryptListEntry({ ...cipher, name: '', key: null }, this.key())), name: '[cannot decrypt]', search: '' };
    }
  }

  private async fillSubtitles(key: SymmetricKey): Promise<void> {
    const batch = 200;
    for (let i = 0; i < this.entries.length; i += batch) {
      if (this.userKey !== key) return;
      const slice = this.entries.slice(i, i + batch);
      await Promise.all(
        slice.map(async (e) => {
          const cipher = this.ciphers.get(e.id);
          if (!cipher) return;
          e.subtitle = await Promise.resolve().then(() => decryptSubtitle(cipher, this.keyFor(cipher))).catch(() => '');
          e.search = `${e.name}\n${e.subtitle}`.toLowerCase();
        }),
      );
      this.changed();
    }
  }

  async item(id: string): Promise<ItemView> {
    const cipher = this.ciphers.get(id);
    if (!cipher) throw new Error('No such item.');
    return decryptItem(cipher, this.keyFor(cipher));
  }

  /** What the caller may do to an item: personal items everything, organization items what sync said (§7.3). */
  permissions(id: string): { delete: boolean; restore: boolean } {
    const cipher = this.ciphers.get(id);
    if (!cipher?.organizationId) return { delete: true, restore: true };
    return { delete: cipher.permissions?.delete ?? cipher.edit ?? false, restore: cipher.permissions?.restore ?? cipher.edit ?? false };
  }

  private async store(cipher: CipherResponse): Promise<void> {
    this.changedHere();
    this.ciphers.set(cipher.id, cipher);
    const entry = await this.listEntry(cipher);
    entry.subtitle = await Promise.resolve().then(() => decryptSubtitle(cipher, this.keyFor(cipher))).catch(() => '');
    entry.search = `${entry.name}\n${entry.subtitle}`.toLowerCase();
    this.entries = [...this.entries.filter((e) => e.id !== cipher.id), entry].sort(compareEntries);
    this.changed();
  }

  private context() {
    return { userId: this.userId, userKeyId: this.userKeyId, now: () => new Date().toISOString() };
  }

  /**
   * Saves an edit, or creates an item: personal, or in an organization with `collectionIds` (POST /ciphers/create,
   * organizations doc §6.1). An organization item stays under its organization's key.
   */
  async saveItem(item: ItemView, collectionIds: string[] = []): Promise<string> {
    if (item.id) this.assertUploadable(item.id);
    const original = item.id ? this.ciphers.get(item.id) : undefined;
    const previous = item.id ? await this.item(item.id) : undefined;
    const key = this.keyFor(original ?? item);
    const request = await encryptItem(item, key, this.context(), original, previous);
    const saved = item.id
      ? await this.api.updateCipher(item.id, request)
      : item.organizationId
        ? await this.orgApi.createItem(request, collectionIds)
        : await this.api.createCipher(request);
    await this.keepWrite(request, saved);
    return saved.id;
  }

  /** Held and blocked items are never uploaded (malicious-server doc §2.2, BW10 defence 3). */
  private assertUploadable(id: string): void {
    if (this.blocked.has(id)) throw new Error('The server dropped this item\'s key; it is kept as this vault wrote it and not uploaded again.');
    if (this.heldCiphers.has(id)) throw new Error('This item is hidden until you review what the server changed.');
  }

  /**
   * The echo check of a create or edit (BW10 defence 3): the answer must carry the item key that was sent. When it
   * does, the answer is kept and pinned as this vault's own write; when it does not, this vault keeps its own copy
   * (the request's fields and key), blocks further uploads of the item and refuses (`cipher-key-dropped`).
   */
  private async keepWrite(request: CipherRequest, saved: CipherResponse): Promise<void> {
    const pins = (this.pins ??= await this.loadPins(this.email));
    try {
      checkEcho(pins, { key: request.key, type: request.type, reprompt: request.reprompt }, saved);
    } catch (err) {
      this.blocked.add(saved.id);
      const { encryptedFor: _for, encryptedByKeyId: _by, lastKnownRevisionDate: _last, attachments2: _att, ...fields } = request;
      await this.store({ ...saved, ...fields, key: request.key ?? null } as CipherResponse);
      throw err;
    } finally {
      await this.savePins();
    }
    await this.store(saved);
  }

  /** "Move to organization": re-encrypts a personal item under the organization key and files it into collections. */
  async shareItem(id: string, organizationId: string, collectionIds: string[]): Promise<void> {
    const original = this.ciphers.get(id);
    if (!original) throw new Error('No such item.');
    if (collectionIds.length === 0) throw new Error('Choose at least one collection.');
    const item = await this.item(id);
    // A legacy item gets its own key on the way; its attachments' names and keys follow in attachments2 (§2.9).
    this.assertUploadable(id);
    const request = await encryptForShare(item, original, this.key(), this.orgKey(organizationId), organizationId, this.context());
    await this.keepWrite(request, await this.orgApi.share(id, request, collectionIds));
  }

  /** Changes an organization item's collections; when the caller loses access the item leaves the list (§6.2). */
  async setItemCollections(id: string, collectionIds: string[]): Promise<boolean> {
    const answer = await this.orgApi.setCollections(id, collectionIds);
    if (answer.unavailable || !answer.cipher) {
      // Gone by this user's own action: not a vanished item at the next sync.
      if (this.pins) forgetOwnDelete(this.pins, id);
      await this.savePins();
      this.changedHere();
      this.ciphers.delete(id);
      this.entries = this.entries.filter((e) => e.id !== id);
      this.changed();
      return false;
    }
    await this.store(answer.cipher);
    return true;
  }

  /** This account's public key (Base64 SPKI), computed from its own private key. */
  ownPublicKey(): Promise<string> {
    if (!this.protectedPrivateKey) throw new Error('This account has no key pair yet; log in again.');
    return publicKeyOf(this.protectedPrivateKey, this.key());
  }

  /**
   * Creates an organization (organizations doc §2.3): a new organization key wrapped for this account's own public
   * key (derived from its private key, not asked of the server), the organization's key pair, and the first
   * collection's name under the new key. Syncs afterwards so the membership and its key arrive.
   */
  async createOrganization(name: string, billingEmail: string, collectionName: string): Promise<string> {
    const own = await this.ownPublicKey();
    const created = await makeOrganizationKeys(own);
    const { id } = await this.orgApi.create({
      name, billingEmail, key: created.key, keys: created.keys, collectionName: await encryptString(collectionName, created.orgKey),
    });
    // Pinned before the first sync that lists it, with the key made here: a sync serving another key is refused (BW09).
    await pinCreatedOrganization(this.email, id, created.key, created.keys.publicKey, this.ownPrivateKey());
    await this.api.refreshNow();
    await this.sync();
    return id;
  }

  /** Decrypts a collection name of an organization this vault holds the key of. */
  decryptForOrg(organizationId: string, value: string): Promise<string> {
    return decryptString(value, this.orgKey(organizationId));
  }

  encryptForOrg(organizationId: string, value: string): Promise<string> {
    return encryptString(value, this.orgKey(organizationId));
  }

  async encryptForImport(items: ItemView[]) {
    return Promise.all(items.map((i) => encryptItem(i, this.key(), this.context())));
  }

  async trashItem(id: string): Promise<void> {
    await this.api.softDeleteCipher(id);
    const cipher = this.ciphers.get(id);
    if (cipher) await this.store({ ...cipher, deletedDate: new Date().toISOString() });
  }

  async restoreItem(id: string): Promise<void> {
    const restored = await this.api.restoreCipher(id);
    if (this.pins) pinOwnWrite(this.pins, restored);
    await this.savePins();
    await this.store(restored);
  }

  async deleteItem(id: string): Promise<void> {
    await this.api.deleteCipher(id);
    if (this.pins) forgetOwnDelete(this.pins, id);
    await this.savePins();
    this.changedHere();
    this.ciphers.delete(id);
    this.entries = this.entries.filter((e) => e.id !== id);
    this.changed();
  }

  /** The personal items, for the export (an organization's items are exported by its admins, not here). */
  allItems(): Promise<ItemView[]> {
    const key = this.key();
    return Promise.all([...this.ciphers.values()].filter((c) => !c.deletedDate && !c.organizationId).map((c) => decryptItem(c, key)));
  }

  // ---------- attachments (sharing doc §2) ----------

  private cipherOf(id: string): CipherResponse {
    const cipher = this.ciphers.get(id);
    if (!cipher) throw new Error('No such item.');
    return cipher;
  }

  private async itemKeyOf(cipher: CipherResponse): Promise<SymmetricKey> {
    return itemKey(cipher, this.keyFor(cipher));
  }

  /** An item's attachments with their names decrypted. */
  async attachments(id: string): Promise<AttachmentView[]> {
    const cipher = this.cipherOf(id);
    return decryptAttachments(cipher.attachments, await this.itemKeyOf(cipher));
  }

  /**
   * Encrypts a file in the browser, reserves its slot (v2), uploads it with progress, and keeps the item the server
   * returned with the slot. A failed upload deletes the slot again, as the official clients' rollback does.
   */
  async addAttachment(id: string, file: { name: string; bytes: Uint8Array<ArrayBuffer> }, progress: Progress): Promise<void> {
    const cipher = this.cipherOf(id);
    const encrypted = await encryptAttachment(file.bytes, file.name, await this.itemKeyOf(cipher));
    const slot = await this.files.reserveAttachment(id, {
      key: encrypted.key, fileName: encrypted.fileName, fileSize: encrypted.data.length, adminRequest: false, lastKnownRevisionDate: cipher.revisionDate,
    });
    if (slot.fileUploadType !== 0) {
      await this.files.deleteAttachment(id, slot.attachmentId).catch(() => {});
      throw new Error('The server asked for an upload this vault cannot make.');
    }
    try {
      await this.files.uploadAttachment(id, slot.attachmentId, encrypted.data, encrypted.fileName, progress);
    } catch (err) {
      await this.files.deleteAttachment(id, slot.attachmentId).then((c) => this.store(c), () => {});
      throw err;
    }
    await this.store(slot.cipherResponse);
  }

  /** Downloads an attachment through a fresh short-lived URL and decrypts it; returns the name and the bytes. */
  async downloadAttachment(id: string, attachmentId: string, progress: Progress): Promise<{ name: string; bytes: Uint8Array<ArrayBuffer> }> {
    const cipher = this.cipherOf(id);
    const attachment = cipher.attachments?.find((a) => a.id === attachmentId);
    if (!attachment) throw new Error('No such attachment.');
    return fetchAttachment(attachment, this.files.attachmentUrl(id, attachmentId), await this.itemKeyOf(cipher), progress);
  }

  async deleteAttachment(id: string, attachmentId: string): Promise<void> {
    await this.store(await this.files.deleteAttachment(id, attachmentId));
  }

  // ---------- Send (sharing doc §3) ----------

  /** Every Send of the account, decrypted, by name. */
  async sends(): Promise<SendView[]> {
    const key = this.key();
    const views = await Promise.all([...this.sendResponses.values()].map((s) => decryptSend(s, key, location.origin)));
    return views.sort((a, b) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
  }

  async send(id: string): Promise<SendView> {
    const send = this.sendResponses.get(id);
    if (!send) throw new Error('No such Send.');
    return decryptSend(send, this.key(), location.origin);
  }

  private keepSend(send: SendResponse): Promise<SendView> {
    this.changedHere();
    this.sendResponses.set(send.id, send);
    this.changed();
    return decryptSend(send, this.key(), location.origin);
  }

  /** Creates a text Send, or a file Send and its upload (rolled back by deleting the Send when the upload fails). */
  async createSend(draft: SendDraft, password: string, file: { name: string; bytes: Uint8Array<ArrayBuffer> } | null, progress: Progress): Promise<SendView> {
    const key = this.key();
    if (draft.type === SendType.Text) {
      const { request } = await encryptSend(draft, key, { password });
      return this.keepSend(await this.files.createSend(request));
    }
    if (!file) throw new Error('Choose a file to send.');
    const { request, sendKey } = await encryptSend(draft, key, { password, fileName: file.name });
    const data = await encryptSendFile(file.bytes, sendKey);
    request.fileLength = data.length;
    const slot = await this.files.createFileSend(request);
    const sent = slot.sendResponse;
    try {
      if (slot.fileUploadType !== 0 || !sent.file?.id) throw new Error('The server asked for an upload this vault cannot make.');
      await this.files.uploadSendFile(sent.id, sent.file.id, data, request.file!.fileName, progress);
    } catch (err) {
      await this.files.deleteSend(sent.id).catch(() => {});
      throw err;
    }
    return this.keepSend(sent);
  }

  /** Saves an edit; the seed (and so the link) stays, the password changes only when a new one is typed. */
  async updateSend(id: string, draft: SendDraft, password: string): Promise<SendView> {
    const existing = this.sendResponses.get(id);
    if (!existing) throw new Error('No such Send.');
    const { request } = await encryptSend({ ...draft, type: existing.type }, this.key(), { existing, password });
    return this.keepSend(await this.files.updateSend(id, request));
  }

  async removeSendPassword(id: string): Promise<SendView> {
    return this.keepSend(await this.files.removeSendPassword(id));
  }

  async deleteSend(id: string): Promise<void> {
    await this.files.deleteSend(id);
    this.changedHere();
    this.sendResponses.delete(id);
    this.changed();
  }

  // ---------- folders ----------

  async saveFolder(id: string | null, name: string): Promise<void> {
    const encrypted = await encryptString(name, this.key());
    const saved = id ? await this.api.renameFolder(id, encrypted) : await this.api.createFolder(encrypted);
    this.changedHere();
    this.folders = [...this.folders.filter((f) => f.id !== saved.id), { id: saved.id, name }].sort((a, b) => collator.compare(a.name, b.name));
    this.changed();
  }

  async deleteFolder(id: string): Promise<void> {
    await this.api.deleteFolder(id);
    this.changedHere();
    this.folders = this.folders.filter((f) => f.id !== id);
    for (const e of this.entries) if (e.folderId === id) e.folderId = null;
    for (const c of this.ciphers.values()) if (c.folderId === id) c.folderId = null;
    this.changed();
  }

  encrypt(value: string): Promise<string> {
    return encryptString(value, this.key());
  }
}

// One collator for every comparison: building locale rules per call makes sorting 3,000 names visibly slower.
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function compareEntries(a: ListEntry, b: ListEntry): number {
  return collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1);
}

export const vault = new Vault();
