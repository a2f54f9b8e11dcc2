// Ciphers to views and back, the way Coffer.Client's VaultCrypto does it: every user-visible string is an EncString
// under the item's own key when it has one, else under the user key; fields the vault does not edit (FIDO2
// credentials, autofill flags) are carried over from the stored item untouched.
//
// Every item this vault writes has its own key (malicious-server doc BW05, BW10), whatever the server's /api/config
// says: a new item gets a fresh 64-byte key, and a legacy item (no `key`) is re-keyed on its first edit, its carried
// fields and attachment keys re-encrypted under the new key. Every URI written carries its `uriChecksum`, and a URI
// whose checksum does not verify is not shown (BW06).
import { decryptBytes, decryptString, encryptBytes, encryptString, randomBytes, sha256, SymmetricKey, toBase64, unwrapSymmetricKey, utf8 } from './crypto';
import { rewrapAttachments } from './attachments';
import {
  CipherType, IDENTITY_FIELDS, emptyItem,
  type CipherRequest, type CipherResponse, type FieldData, type IdentityData, type ItemView, type ListEntry,
} from './models';

/** The key an item's fields are under: its own key (unwrapped with the user or organization key), else that key. */
export async function itemKey(cipher: { key?: string | null }, userKey: SymmetricKey): Promise<SymmetricKey> {
  return cipher.key ? unwrapSymmetricKey(cipher.key, userKey) : userKey;
}

async function dec(value: string | null | undefined, key: SymmetricKey): Promise<string> {
  return value ? decryptString(value, key) : '';
}

async function enc(value: string | null | undefined, key: SymmetricKey): Promise<string | null> {
  return value ? encryptString(value, key) : null;
}

/** Only the name and one line under it: enough for the list, search and the folder filter. */
export async function decryptListEntry(cipher: CipherResponse, userKey: SymmetricKey): Promise<ListEntry> {
  const key = await itemKey(cipher, userKey);
  const name = await dec(cipher.name, key).catch(() => '[cannot decrypt]');
  return {
    id: cipher.id,
    type: cipher.type as CipherType,
    name,
    subtitle: '',
    folderId: cipher.folderId ?? null,
    favorite: cipher.favorite,
    deleted: cipher.deletedDate != null,
    hasTotp: !!cipher.login?.totp,
    search: name.toLowerCase(),
    organizationId: cipher.organizationId ?? null,
    collectionIds: cipher.collectionIds ?? [],
  };
}

/** The line under the name: the login's username, the card's brand and last digits, the identity's name. */
export async function decryptSubtitle(cipher: CipherResponse, userKey: SymmetricKey): Promise<string> {
  const key = await itemKey(cipher, userKey);
  switch (cipher.type) {
    case CipherType.Login:
      return dec(cipher.login?.username, key);
    case CipherType.Card: {
      const [brand, number] = await Promise.all([dec(cipher.card?.brand, key), dec(cipher.card?.number, key)]);
      return [brand, number ? `*${number.slice(-4)}` : ''].filter(Boolean).join(', ');
    }
    case CipherType.Identity: {
      const [first, last] = await Promise.all([dec(cipher.identity?.firstName, key), dec(cipher.identity?.lastName, key)]);
      return [first, last].filter(Boolean).join(' ');
    }
    default:
      return '';
  }
}

export async function decryptItem(cipher: CipherResponse, userKey: SymmetricKey): Promise<ItemView> {
  const key = await itemKey(cipher, userKey);
  const item = emptyItem(cipher.type as CipherType);
  item.id = cipher.id;
  item.folderId = cipher.folderId ?? null;
  item.favorite = cipher.favorite;
  item.revisionDate = cipher.revisionDate;
  item.deletedDate = cipher.deletedDate;
  item.organizationId = cipher.organizationId ?? null;
  item.collectionIds = cipher.collectionIds ?? [];
  // Absent on personal items: the owner may do everything.
  item.edit = cipher.edit ?? true;
  item.viewPassword = cipher.viewPassword ?? true;
  item.name = await dec(cipher.name, key);
  item.notes = await dec(cipher.notes, key);
  if (cipher.login) {
    const l = cipher.login;
    item.login = {
      username: await dec(l.username, key),
      password: await dec(l.password, key),
      totp: await dec(l.totp, key),
      uris: await Promise.all((l.uris ?? []).map(async (u) => {
        const uri = await dec(u.uri, key);
        if (u.uriChecksum && !(await uriChecksumMatches(uri, u.uriChecksum, key))) {
          item.uriChecksumFailed = true;
          return { uri: '', match: u.match ?? null };
        }
        return { uri, match: u.match ?? null };
      })),
    };
  }
  if (cipher.card) {
    const c = cipher.card;
    item.card = {
      cardholderName: await dec(c.cardholderName, key), brand: await dec(c.brand, key), number: await dec(c.number, key),
      expMonth: await dec(c.expMonth, key), expYear: await dec(c.expYear, key), code: await dec(c.code, key),
    };
  }
  if (cipher.identity) {
    for (const f of IDENTITY_FIELDS) item.identity[f] = await dec(cipher.identity[f], key);
  }
  item.fields = await Promise.all((cipher.fields ?? []).map(async (f) => ({ type: f.type, name: await dec(f.name, key), value: await dec(f.value, key), linkedId: f.linkedId ?? null })));
  item.passwordHistory = await Promise.all((cipher.passwordHistory ?? []).map(async (p) => ({ password: await dec(p.password, key), lastUsedDate: p.lastUsedDate })));
  return item;
}

/** Bitwarden's URI checksum: Base64 SHA-256 of the URI, encrypted, so a swapped URI is detectable. */
async function uriChecksum(uri: string, key: SymmetricKey): Promise<string> {
  return encryptString(toBase64(await sha256(utf8(uri))), key);
}

/** Whether a URI matches its encrypted checksum (as the official clients verify it); a checksum that does not decrypt does not match. */
export async function uriChecksumMatches(uri: string, checksum: string, key: SymmetricKey): Promise<boolean> {
  const expected = await decryptString(checksum, key).catch(() => null);
  return expected === toBase64(await sha256(utf8(uri)));
}

const ENC_STRING = /^2\.[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+$/;

/** A copy of a carried-over object with every EncString in it re-encrypted from one key to another (a legacy item's re-key; tests build legacy items with it). */
export async function rekey<T>(value: T, from: SymmetricKey, to: SymmetricKey): Promise<T> {
  if (typeof value === 'string') return (ENC_STRING.test(value) ? await encryptBytes(await decryptBytes(value, from), to) : value) as T;
  if (Array.isArray(value)) return (await Promise.all(value.map((v) => rekey(v, from, to)))) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await rekey(v, from, to);
    return out as T;
  }
  return value;
}

/**
 * The item key an edit or a create writes under: the stored item's own key, or a fresh one wrapped under `ownerKey`
 * (the user or organization key). For a legacy item the fields carried over from it (under `carriedKey`) and its
 * attachments are re-encrypted under the fresh key.
 */
async function keyForWrite(ownerKey: SymmetricKey, original: CipherResponse | undefined, carriedKey: SymmetricKey) {
  if (original?.key) return { key: await unwrapSymmetricKey(original.key, ownerKey), wrapped: original.key, carried: original, attachments2: undefined };
  const raw = randomBytes(64);
  try {
    const wrapped = await encryptBytes(raw, ownerKey);
    const key = await SymmetricKey.fromBytes(raw);
    if (!original) return { key, wrapped, carried: undefined, attachments2: undefined };
    const { attachments, ...rest } = original;
    const carried = { ...(await rekey(rest, carriedKey, key)), attachments } as CipherResponse;
    const attachments2 = attachments?.length ? await rewrapAttachments(attachments, carriedKey, key) : undefined;
    return { key, wrapped, carried, attachments2 };
  } finally {
    raw.fill(0);
  }
}

const OTHER_TYPE_OBJECTS = ['sshKey', 'bankAccount', 'driversLicense', 'passport'] as const;

export interface EncryptContext {
  userId: string;
  userKeyId: string | null;
  now: () => string;
}

/**
 * The request body for a create or an edit, always with the item's own key (see the top of this file). An edit keeps
 * the stored item's key and the type-object fields the vault does not show, and records a changed password in the
 * password history. `carriedKey` is the key the stored item's fields are under when it has no key of its own (its
 * owner's key, which differs from `ownerKey` only on a move into an organization).
 */
export async function encryptItem(item: ItemView, ownerKey: SymmetricKey, ctx: EncryptContext, stored?: CipherResponse, previous?: ItemView, carriedKey: SymmetricKey = ownerKey): Promise<CipherRequest> {
  const written = await keyForWrite(ownerKey, stored, carriedKey);
  const key = written.key;
  const original = written.carried;
  const request: CipherRequest = {
    type: item.type,
    folderId: item.folderId || null,
    favorite: item.favorite,
    reprompt: original?.reprompt ?? 0,
    name: (await enc(item.name, key)) ?? (await encryptString('', key)),
    notes: await enc(item.notes, key),
    key: written.wrapped,
    organizationId: original?.organizationId ?? item.organizationId ?? null,
    encryptedFor: ctx.userId,
    fields: await Promise.all(item.fields.map(async (f): Promise<FieldData> => ({ type: f.type, name: await enc(f.name, key), value: await enc(f.value, key), linkedId: f.linkedId ?? null }))),
  };
  if (ctx.userKeyId && !stored?.key) request.encryptedByKeyId = ctx.userKeyId;
  if (original) request.lastKnownRevisionDate = original.revisionDate;
  if (written.attachments2) request.attachments2 = written.attachments2;

  const history = [...item.passwordHistory];
  let passwordRevisionDate = original?.login?.passwordRevisionDate ?? null;
  if (previous && item.type === CipherType.Login && previous.login.password && previous.login.password !== item.login.password) {
    history.unshift({ password: previous.login.password, lastUsedDate: ctx.now() });
    passwordRevisionDate = ctx.now();
  }
  // Upstream keeps the five most recent passwords.
  request.passwordHistory = await Promise.all(history.slice(0, 5).map(async (p) => ({ password: (await enc(p.password, key))!, lastUsedDate: p.lastUsedDate })));

  switch (item.type) {
    case CipherType.Login:
      request.login = {
        ...(original?.login ?? {}),
        username: await enc(item.login.username, key),
        password: await enc(item.login.password, key),
        totp: await enc(item.login.totp, key),
        passwordRevisionDate,
        uris: await Promise.all(
          item.login.uris.filter((u) => u.uri.trim()).map(async (u) => ({ uri: await enc(u.uri.trim(), key), uriChecksum: await uriChecksum(u.uri.trim(), key), match: u.match })),
        ),
      };
      break;
    case CipherType.SecureNote:
      request.secureNote = { type: 0 };
      break;
    case CipherType.Card: {
      const c = item.card;
      request.card = {
        ...(original?.card ?? {}),
        cardholderName: await enc(c.cardholderName, key), brand: await enc(c.brand, key), number: await enc(c.number, key),
        expMonth: await enc(c.expMonth, key), expYear: await enc(c.expYear, key), code: await enc(c.code, key),
      };
      break;
    }
    case CipherType.Identity: {
      const identity = { ...(original?.identity ?? {}) } as IdentityData;
      for (const f of IDENTITY_FIELDS) identity[f] = await enc(item.identity[f], key);
      request.identity = identity;
      break;
    }
    default:
      // Types this vault does not edit (SSH keys and newer ones): their type object goes back as stored.
      for (const name of OTHER_TYPE_OBJECTS) {
        if (original?.[name] != null) (request as unknown as Record<string, unknown>)[name] = original[name];
      }
  }
  return request;
}

/**
 * The cipher of a personal item moved into an organization (organizations doc §2.6): an item with its own key keeps
 * it, re-wrapped under the organization key, so every field stays as it is; an item without one gets its own key
 * here, wrapped under the organization key, and everything it carries (passkeys, newer types' objects, attachment
 * keys) is re-encrypted from the user key to it.
 */
export async function encryptForShare(item: ItemView, original: CipherResponse, userKey: SymmetricKey, orgKey: SymmetricKey, organizationId: string, ctx: EncryptContext): Promise<CipherRequest> {
  if (original.organizationId) throw new Error('This item already belongs to an organization.');
  let moved: CipherResponse;
  if (original.key) {
    const raw = await decryptBytes(original.key, userKey);
    try {
      moved = { ...original, key: await encryptBytes(raw, orgKey), organizationId };
    } finally {
      raw.fill(0);
    }
  } else {
    moved = { ...original, organizationId };
  }
  // A legacy item gets its own key here, under the organization key; what it carries over is under the user key.
  const request = await encryptItem({ ...item, organizationId }, orgKey, ctx, moved, undefined, original.key ? orgKey : userKey);
  // The item keeps the member's folder (per user on organization items).
  request.organizationId = organizationId;
  return request;
}
