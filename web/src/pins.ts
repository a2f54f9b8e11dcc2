// What this browser remembers about one account on one server, to check every later answer of that server against
// (trust on first use; malicious-server doc §2.2). The record has the JSON shape of Coffer.Client's AccountPins
// (camelCase, enums as numbers, ids as lowercase GUID strings, dates as ISO 8601 strings), so the CLI and the web
// vault apply one rule to one shape. It lives in IndexedDB (database `coffer`, store `pins`) under the same key the
// CLI names its file with (AccountPins.FileKey).
//
// Nothing in it is secret (digests, KDF settings the server itself sends, key ids), so it is stored in the clear: the
// KDF pin must be readable before the master password is hashed and must survive a user-key rotation done elsewhere.
// It is never uploaded, and it outlives log-out. Its limit (malicious-server doc §5): a server that serves a hostile
// web vault can read and rewrite it, as it can everything else in this origin.
import { fromBase64, sha256, toBase64, toHex, utf8 } from './crypto';

/** KDF settings as pinned (Coffer.Protocol's KdfConfig): type 0 PBKDF2-SHA256, 1 Argon2id; memory in MiB. */
export interface KdfPin {
  type: number;
  iterations: number;
  memory: number | null;
  parallelism: number | null;
}

/** What the last checked sync said about one cipher (AccountPins' CipherPin). */
export interface CipherPin {
  /** Its `revisionDate`; an older one later is a rollback of that item (quarantine `item-rollback`). */
  revisionDate: string;
  /** Whether it had a per-item `key`; losing it later is refused for that item. */
  hasKey: boolean;
  /** 0 none, 1 master password; 1 → 0 not made here is quarantined (`meta-reprompt-off`). */
  reprompt: number;
  /** Its cipher type; a change of an existing id is refused for that item. */
  type: number;
  /** Its owner organization, null when personal; a silent move is quarantined. */
  organizationId: string | null;
}

/** Where an EncString was seen: the cipher (or folder) id and the field path, e.g. `login.password`. */
export interface CiphertextSite {
  ownerId: string;
  field: string;
}

/** The origins of an organization pin (AccountPins' OrganizationOrigin). */
export const OrganizationOrigin = {
  CreatedHere: 'created-here',
  AcceptedHere: 'accepted-here',
  ConfirmedByUserPrompt: 'confirmed-by-user-prompt',
} as const;

/** How an organization came to be trusted, and the keys it was trusted with (AccountPins' OrganizationPin). */
export interface OrganizationPin {
  origin: string;
  keyId: string | null;
  publicKeySha256: string | null;
  pinnedDate: string;
  recoveryEnrolled: boolean;
}

/** Another user's public key, pinned when this user confirmed its fingerprint phrase (AccountPins' PersonPin). */
export interface PersonPin {
  publicKeySha256: string;
  /** `org-member`, `grantee` or `grantor`. */
  relation: string;
  pinnedDate: string;
}

/** The record, field for field as AccountPins serializes it (JsonSerializerDefaults.Web). */
export interface AccountPins {
  version: number;
  /** The server base URL without a trailing slash (the web vault's origin). */
  server: string;
  /** Lowercased e-mail: the KDF salt, and what the record is found by before login. */
  email: string;
  userId: string | null;
  /** The KDF the user key last unlocked with; null until the first successful unlock. */
  kdf: KdfPin | null;
  /** The user key's id (crypto.userKeyId, protocol §2.4). */
  userKeyId: string | null;
  /** EncString type of the protected user key when pinned (2). */
  protectedUserKeyType: number | null;
  /** Base64 SHA-256 of the account's own SPKI public key. */
  publicKeySha256: string | null;
  /** Set once a cipher with a per-item key was written or read; never cleared. */
  cipherKeysInUse: boolean;
  highestServerVersion: string | null;
  /** The newest account revision date seen at a sync (an older one later: warn `rollback`). */
  accountRevisionDate: string | null;
  /** Per cipher id (lowercase). */
  ciphers: Record<string, CipherPin>;
  /** ciphertextDigest(EncString) → where it was seen. */
  ciphertextIndex: Record<string, CiphertextSite>;
  /** Per organization id (lowercase). */
  organizations: Record<string, OrganizationPin>;
  /** Per user id (lowercase). */
  people: Record<string, PersonPin>;
}

function normalizeServer(server: string): string {
  return server.trim().replace(/\/+$/, '');
}

/**
 * The record's storage key, as AccountPins.FileKey computes it: the first 32 hex characters of SHA-256 over
 * `lower(server) "\n" lower(email)` (server trimmed and without trailing slashes, e-mail trimmed).
 */
export async function pinKey(server: string, email: string): Promise<string> {
  const input = `${normalizeServer(server).toLowerCase()}\n${email.trim().toLowerCase()}`;
  return toHex(await sha256(utf8(input))).slice(0, 32);
}

/** A fresh record for a first login in this browser. */
export function createPins(server: string, email: string): AccountPins {
  return {
    version: 1,
    server: normalizeServer(server),
    email: email.trim().toLowerCase(),
    userId: null,
    kdf: null,
    userKeyId: null,
    protectedUserKeyType: null,
    publicKeySha256: null,
    cipherKeysInUse: false,
    highestServerVersion: null,
    accountRevisionDate: null,
    ciphers: {},
    ciphertextIndex: {},
    organizations: {},
    people: {},
  };
}

/** Base64 SHA-256 of a Base64 SPKI public key's bytes: the form public keys are pinned in. */
export async function publicKeyDigest(spkiBase64: string): Promise<string> {
  return toBase64(await sha256(fromBase64(spkiBase64)));
}

/** Base64 SHA-256 of an EncString's exact text: the key of the ciphertext index. */
export async function ciphertextDigest(encString: string): Promise<string> {
  return toBase64(await sha256(utf8(encString)));
}

/**
 * Reads a record written by this vault or by the CLI (AccountPins.ToJson): missing members take their defaults,
 * dictionary keys are lowercased. Throws on anything that is not a pin record.
 */
export function pinsFromJson(json: string): AccountPins {
  const raw = JSON.parse(json) as Partial<AccountPins> | null;
  if (!raw || typeof raw !== 'object' || typeof raw.server !== 'string' || typeof raw.email !== 'string') {
    throw new Error('Not a pin record.');
  }
  const lowerKeys = <T>(record: Record<string, T> | undefined | null): Record<string, T> =>
    Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    ...createPins(raw.server, raw.email),
    ...raw,
    ciphers: lowerKeys(raw.ciphers),
    ciphertextIndex: { ...(raw.ciphertextIndex ?? {}) },
    organizations: lowerKeys(raw.organizations),
    people: lowerKeys(raw.people),
  };
}

export function pinsToJson(pins: AccountPins): string {
  return JSON.stringify(pins, null, 2);
}

/** Where records are kept: IndexedDB in the browser, a map in unit tests. */
export interface PinStore {
  load(server: string, email: string): Promise<AccountPins | null>;
  save(pins: AccountPins): Promise<void>;
}

/** Records in memory, as JSON (so what is kept is exactly what would be stored). */
export class MemoryPinStore implements PinStore {
  readonly records = new Map<string, string>();

  async load(server: string, email: string): Promise<AccountPins | null> {
    const json = this.records.get(await pinKey(server, email));
    return json ? pinsFromJson(json) : null;
  }

  async save(pins: AccountPins): Promise<void> {
    this.records.set(await pinKey(pins.server, pins.email), pinsToJson(pins));
  }
}

const DB_NAME = 'coffer';
const STORE = 'pins';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed.'));
  });
}

/** Records in IndexedDB, one JSON string per pinKey, in the object store `pins` of the database `coffer`. */
export class IndexedDbPinStore implements PinStore {
  private db: Promise<IDBDatabase> | null = null;

  private open(): Promise<IDBDatabase> {
    return (this.db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB is not available.'));
    }));
  }

  async load(server: string, email: string): Promise<AccountPins | null> {
    const key = await pinKey(server, email);
    const db = await this.open();
    const json = await request<string | undefined>(db.transaction(STORE, 'readonly').objectStore(STORE).get(key));
    return json ? pinsFromJson(json) : null;
  }

  async save(pins: AccountPins): Promise<void> {
    const key = await pinKey(pins.server, pins.email);
    const db = await this.open();
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(pinsToJson(pins), key);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed.'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted.'));
    });
  }
}

/** The store this page uses: IndexedDB where it exists (every browser), memory elsewhere (unit tests). */
export function defaultPinStore(): PinStore {
  return typeof indexedDB === 'undefined' ? new MemoryPinStore() : new IndexedDbPinStore();
}
