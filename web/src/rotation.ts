// User key rotation (account doc §3.3; malicious-server doc BW02): a new random user key, the same RSA private key
// re-wrapped under it, every personal item, folder name and Send seed re-encrypted, the attachment keys of items without
// their own key re-wrapped (sharing doc §2.9), the new key wrapped for each checked emergency contact (§4.4) and each
// PRF passkey (§5.6), and the new key wrapped by the unchanged master key. The request has the shape of
// Coffer.Client's KeyRotation.Build, so the CLI and the web vault rotate alike; the server swaps it all in one
// transaction. Before anything is built, the rotation data the server sent is checked against this browser's pins
// (planRotation): no organization ever gets the new key, a pinned one served with another public key stops the whole
// rotation (`org-overwrite`), and an emergency contact's key must be the one pinned for them (`ea-pk-swap`).
import { kdfWire } from './api';
import {
  decryptBytes, deriveMasterKey, encryptBytes, masterPasswordHash, normalizeSalt, parseEncString, publicKeyOf, randomBytes, stretchedKey, SymmetricKey,
  toBase64, userKeyId, wrapForPublicKey, type KdfConfig,
} from './crypto';
import { ServerIntegrityError } from './integrity';
import type { CipherResponse, FolderResponse, ProfileOrganization, SendResponse, SyncResponse } from './models';
import { checkOrganizationKey, checkPerson, type TrustPins } from './orgtrust';
import { publicKeyDigest } from './pins';

/** `GET /api/accounts/key-management/key-rotation-data` (Coffer.Protocol's KeyRotationDataResponseModel). */
export interface RotationData {
  organizationPasswordResetKeyData?: { organizationId: string; organizationName?: string | null; publicKey?: string | null }[] | null;
  emergencyAccessKeyData?: { id: string; granteeId: string; granteeName?: string | null; granteeEmail?: string | null; publicKey: string }[] | null;
  trustedDeviceKeyData?: unknown[] | null;
  passkeyKeyData?: PasskeyKeyData[] | null;
}

/** A PRF passkey's key set as the rotation data lists it: its public key under the user key, the user key wrapped to it. */
export interface PasskeyKeyData { id: string; encryptedPublicKey: string; encryptedUserKey: string }

/** An emergency contact who gets the new key: the grant (sent back unchanged) and the grantee's checked public key. */
export interface RotationGrantee {
  id: string;
  granteeId: string;
  email: string;
  type: number;
  waitTimeDays: number;
  /** Base64 SPKI. */
  publicKey: string;
  /** True when its key was pinned at an earlier confirmation; false when the user must compare its phrase now. */
  pinned: boolean;
}

/** What a rotation will do, for the confirmation screen. */
export interface RotationPlan {
  grantees: RotationGrantee[];
  /** One sentence per organization the server listed for account recovery: each is left out, and named. */
  organizations: string[];
  passkeys: PasskeyKeyData[];
}

/** What planRotation needs besides the rotation data. */
export interface RotationContext {
  pins: TrustPins;
  /** The organizations of the last sync (unscreened), for their names. */
  syncOrganizations: ProfileOrganization[];
  /** Whether this browser uses the organization (pinned, and served with its pinned key). */
  trustedOrganization(orgId: string): boolean;
  /** The grants of `GET /api/emergency-access/trusted`. */
  trustedContacts: { id: string; type: number; waitTimeDays: number; email: string | null }[];
  userPublicKey(userId: string): Promise<string>;
  organizationPublicKey(orgId: string): Promise<string>;
}

const lower = (id: string) => id.toLowerCase();

/**
 * Checks the rotation data against the pins, before any key is touched (as the CLI's OrganizationGuard.CheckRotationAsync
 * and EmergencyCommands.RotationTargetsAsync). The organizations checked and named are those the rotation data lists
 * for account recovery (what a sync says about enrolment is never read: nothing is ever enrolled). Throws
 * ServerIntegrityError `org-overwrite` (a pinned organization served with another public key) or `ea-pk-swap` (an
 * emergency contact's key other than the pinned one, or two keys for one contact); throws Error for trusted devices
 * (nothing here can re-key them) or a grant that is not among the user's.
 */
export async function planRotation(data: RotationData, context: RotationContext): Promise<RotationPlan> {
  if ((data.trustedDeviceKeyData ?? []).length > 0) {
    throw new Error('The account has trusted devices, which the web vault cannot re-key; nothing was changed.');
  }
  const organizations: string[] = [];
  const seen = new Set<string>();
  for (const entry of data.organizationPasswordResetKeyData ?? []) {
    const id = lower(entry.organizationId);
    if (seen.has(id)) continue;
    seen.add(id);
    const name = entry.organizationName || (context.syncOrganizations.find((o) => lower(o.id) === id)?.name ?? id);
    if (!context.trustedOrganization(id)) {
      organizations.push(`“${name}” is not trusted in this browser: it gets no copy of the new key.`);
      continue;
    }
    for (const key of [entry.publicKey, await context.organizationPublicKey(id)]) {
      if (!key) continue;
      const refusal = checkOrganizationKey(context.pins, id, await publicKeyDigest(key), name);
      if (refusal) throw new ServerIntegrityError(refusal.code, `${refusal.sentence} The key rotation was stopped before anything was sent.`);
    }
    organizations.push(`“${name}” gets no copy of the new key: Coffer has no account recovery, so you are not enrolled in it for “${name}”.`);
  }

  const grantees: RotationGrantee[] = [];
  for (const entry of data.emergencyAccessKeyData ?? []) {
    const grant = context.trustedContacts.find((g) => lower(g.id) === lower(entry.id));
    if (!grant) throw new Error(`The server listed an emergency access grant (${entry.id}) that is not among your trusted contacts; nothing was changed.`);
    const email = entry.granteeEmail ?? grant.email ?? entry.granteeId;
    const publicKey = await context.userPublicKey(entry.granteeId);
    for (const key of [publicKey, entry.publicKey]) {
      const refusal = checkPerson(context.pins, entry.granteeId, await publicKeyDigest(key), 'ea-pk-swap', email);
      if (refusal) throw new ServerIntegrityError(refusal.code, refusal.sentence.replace('Nothing was sent', 'The key rotation was stopped; nothing was sent'));
    }
    if (publicKey !== entry.publicKey) {
      throw new ServerIntegrityError('ea-pk-swap', `The server gave two different public keys for ${email}; the key rotation was stopped and nothing was sent.`);
    }
    grantees.push({
      id: entry.id, granteeId: entry.granteeId, email, type: grant.type, waitTimeDays: grant.waitTimeDays, publicKey,
      pinned: !!context.pins.people[lower(entry.granteeId)],
    });
  }
  return { grantees, organizations, passkeys: data.passkeyKeyData ?? [] };
}

/** The encrypted part of a cipher (Coffer.Protocol's CipherDataModel): what a rotation sends back re-encrypted. */
const CIPHER_DATA = ['name', 'notes', 'key', 'reprompt', 'login', 'secureNote', 'card', 'identity', 'sshKey', 'bankAccount', 'driversLicense', 'passport', 'fields', 'passwordHistory'] as const;

function isEncString(value: string): boolean {
  try {
    parseEncString(value);
    return true;
  } catch {
    return false;
  }
}

/** One rotation's two keys: what is under `from` comes out under `to`. */
class Rewrapper {
  constructor(
    private readonly from: SymmetricKey,
    private readonly to: SymmetricKey,
  ) {}

  async rewrap(encrypted: string): Promise<string> {
    const plain = await decryptBytes(encrypted, this.from);
    try {
      return await encryptBytes(plain, this.to);
    } finally {
      plain.fill(0);
    }
  }

  /** Every type 2 EncString inside `node` re-encrypted (Coffer.Client's KeyRotation.ReencryptAll), in a copy. */
  async all(node: unknown): Promise<unknown> {
    if (typeof node === 'string') return isEncString(node) ? this.rewrap(node) : node;
    if (Array.isArray(node)) return Promise.all(node.map((n) => this.all(n)));
    if (node && typeof node === 'object') {
      return Object.fromEntries(await Promise.all(Object.entries(node).map(async ([k, v]) => [k, await this.all(v)] as const)));
    }
    return node;
  }

  /**
   * An item with its own key only needs that key re-wrapped; one without has every EncString in it re-encrypted, those
   * this vault does not model included, and its attachments' keys and names re-wrapped (`attachments2`).
   */
  async cipher(cipher: CipherResponse): Promise<Record<string, unknown>> {
    const data: Record<string, unknown> = {};
    for (const name of CIPHER_DATA) if (cipher[name] !== undefined) data[name] = cipher[name];
    const request: Record<string, unknown> = cipher.key ? { ...data, key: await this.rewrap(cipher.key) } : (await this.all(data)) as Record<string, unknown>;
    const attachments = cipher.attachments ?? [];
    if (!cipher.key && attachments.length > 0) {
      request.attachments2 = Object.fromEntries(await Promise.all(attachments.map(async (a) => {
        if (!a.key) {
          throw new Error(`Attachment ${a.fileName} of item ${cipher.id} predates per-attachment keys: its file is under the user key and would become unreadable. Download it and attach it again first.`);
        }
        return [a.id, { fileName: await this.rewrap(a.fileName), key: await this.rewrap(a.key) }] as const;
      })));
    }
    return {
      ...request,
      id: cipher.id, type: cipher.type, folderId: cipher.folderId ?? null, favorite: cipher.favorite ?? false, archivedDate: cipher.archivedDate ?? null,
    };
  }

  async folder(folder: FolderResponse): Promise<{ id: string; name: string }> {
    return { id: folder.id, name: await this.rewrap(folder.name) };
  }

  /** Only the seed's wrapping changes; the rest goes back as it is, under the unchanged Send key. */
  async send(send: SendResponse): Promise<Record<string, unknown>> {
    return {
      id: send.id, type: send.type, authType: send.authType, name: send.name, notes: send.notes, key: await this.rewrap(send.key),
      maxAccessCount: send.maxAccessCount, expirationDate: send.expirationDate, deletionDate: send.deletionDate, disabled: send.disabled,
      hideEmail: send.hideEmail, text: send.text, file: send.file ? { fileName: send.file.fileName } : null,
    };
  }

  /** A PRF passkey's key set: its public key (under the user key) opened, the new user key wrapped to it, the public key re-wrapped. */
  async passkey(entry: PasskeyKeyData, newKeyBytes: Uint8Array<ArrayBuffer>): Promise<{ id: string; encryptedUserKey: string; encryptedPublicKey: string }> {
    const spki = await decryptBytes(entry.encryptedPublicKey, this.from);
    return { id: entry.id, encryptedUserKey: await wrapForPublicKey(newKeyBytes, toBase64(spki)), encryptedPublicKey: await encryptBytes(spki, this.to) };
  }
}

/** What buildRotation needs of the account: the checked sync, its protected user key, e-mail (the salt) and KDF. */
export interface RotationAccount {
  sync: SyncResponse;
  protectedUserKey: string;
  email: string;
  kdf: KdfConfig;
}

/**
 * The request of `POST /api/accounts/key-management/rotate-user-account-keys` and the new user key's id. Throws
 * "Invalid master password." for a wrong password, and Error when an item, folder, Send, attachment or passkey key set
 * is not under the current user key (nothing is sent then).
 */
export async function buildRotation(account: RotationAccount, password: string, grantees: RotationGrantee[], passkeys: PasskeyKeyData[]): Promise<{ request: unknown; userKeyId: string; items: number }> {
  const { sync, kdf } = account;
  const salt = normalizeSalt(account.email);
  const masterKey = await deriveMasterKey(password, salt, kdf);
  const newKeyBytes = randomBytes(64);
  try {
    const wrapping = await stretchedKey(masterKey);
    const oldKeyBytes = await decryptBytes(account.protectedUserKey, wrapping).catch(() => {
      throw new Error('Invalid master password.');
    });
    let oldKey: SymmetricKey;
    try {
      oldKey = await SymmetricKey.fromBytes(oldKeyBytes);
    } finally {
      oldKeyBytes.fill(0);
    }
    const newKey = await SymmetricKey.fromBytes(newKeyBytes.slice());
    const keys = new Rewrapper(oldKey, newKey);
    // The password does not change here, so the old and the new login hash are the same.
    const loginHash = await masterPasswordHash(masterKey, password);
    const newUserKeyId = await userKeyId(newKeyBytes);
    if (!sync.profile.privateKey) throw new Error('This account has no key pair; nothing was changed.');
    const privateKey = await keys.rewrap(sync.profile.privateKey);
    const publicKey = await publicKeyOf(sync.profile.privateKey, oldKey);
    const wire = kdfWire(kdf).object;
    const personal = sync.ciphers.filter((c) => !c.organizationId);
    const request = {
      oldMasterKeyAuthenticationHash: loginHash,
      newUserKeyId,
      accountKeys: {
        userKeyEncryptedAccountPrivateKey: privateKey,
        accountPublicKey: publicKey,
        publicKeyEncryptionKeyPair: { wrappedPrivateKey: privateKey, publicKey },
      },
      accountUnlockData: {
        masterPasswordUnlockData: {
          kdfType: wire.kdfType, kdfIterations: wire.iterations, kdfMemory: wire.memory, kdfParallelism: wire.parallelism,
          email: salt, masterPasswordSalt: salt, masterKeyAuthenticationHash: loginHash,
          masterKeyEncryptedUserKey: await encryptBytes(newKeyBytes, wrapping), containedKeyId: newUserKeyId,
        },
        emergencyAccessUnlockData: await Promise.all(grantees.map(async (g) => ({
          id: g.id, type: g.type, waitTimeDays: g.waitTimeDays, keyEncrypted: await wrapForPublicKey(newKeyBytes, g.publicKey),
        }))),
        organizationAccountRecoveryUnlockData: [],
        passkeyUnlockData: await Promise.all(passkeys.map((p) => keys.passkey(p, newKeyBytes))),
        deviceKeyUnlockData: [],
      },
      accountData: {
        // Organization items stay under their organization's key.
        ciphers: await Promise.all(personal.map((c) => keys.cipher(c).catch((err: unknown) => {
          throw new Error(`Item ${c.id} cannot be re-encrypted (${err instanceof Error ? err.message : String(err)}); nothing was changed.`);
        }))),
        folders: await Promise.all(sync.folders.map((f) => keys.folder(f))),
        sends: await Promise.all((sync.sends ?? []).map((s) => keys.send(s))),
      },
    };
    return { request, userKeyId: newUserKeyId, items: personal.length };
  } finally {
    masterKey.fill(0);
    newKeyBytes.fill(0);
  }
}
