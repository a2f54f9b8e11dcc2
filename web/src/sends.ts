// Sends as the clients make them (sharing doc §3.3): a random 16-byte seed per Send; the Send key is HKDF of the
// seed; name, notes, text, file name and file are under the Send key; the seed itself is under the user key (the
// owner's copy) and in the link's fragment as url-safe Base64 (the recipient's copy), which never reaches the server.
import {
  decryptBytes, decryptFile, decryptString, encryptBytes, encryptFile, encryptString, fromBase64Url, makeSendKey, randomBytes,
  sendPasswordHash, toBase64Url, type SymmetricKey,
} from './crypto';
import type { SendAccessResponse, SendRequest, SendResponse } from './models';

export const SendType = { Text: 0, File: 1 } as const;
/** Auth types (§3.1): e-mail verification (0) is not offered; 1 password, 2 none. */
export const SendAuthType = { Password: 1, None: 2 } as const;

export interface SendView {
  id: string;
  accessId: string;
  type: number;
  name: string;
  notes: string;
  text: string;
  hidden: boolean;
  fileName: string;
  sizeName: string;
  maxAccessCount: number | null;
  accessCount: number;
  hasPassword: boolean;
  disabled: boolean;
  hideEmail: boolean;
  expirationDate: string | null;
  deletionDate: string;
  revisionDate: string;
  /** The recipient link: `{origin}/#/send/{accessId}/{urlKey}`. */
  url: string;
}

/** What the form edits; the dates are ISO strings. */
export interface SendDraft {
  type: number;
  name: string;
  notes: string;
  text: string;
  hidden: boolean;
  maxAccessCount: number | null;
  expirationDate: string | null;
  deletionDate: string;
  disabled: boolean;
  hideEmail: boolean;
}

/** The recipient link (§3.2): the web vault's origin, the access id, and the seed as url-safe Base64. */
export function sendUrl(origin: string, accessId: string, seed: Uint8Array): string {
  return `${origin}/#/send/${accessId}/${toBase64Url(seed)}`;
}

/** The seed of a link's URL key: exactly 16 bytes, or an error. */
export function seedFromUrlKey(urlKey: string): Uint8Array<ArrayBuffer> {
  const seed = fromBase64Url(urlKey);
  if (seed.length !== 16) throw new Error('This link is incomplete: its key is not 16 bytes.');
  return seed;
}

/** Why a Send cannot be opened by recipients right now (§3.8's availability rule), or null when it can. */
export function unavailableReason(send: Pick<SendView, 'disabled' | 'expirationDate' | 'deletionDate' | 'maxAccessCount' | 'accessCount'>, now = Date.now()): string | null {
  if (send.disabled) return 'disabled';
  if (send.expirationDate && Date.parse(send.expirationDate) <= now) return 'expired';
  if (Date.parse(send.deletionDate) <= now) return 'pending deletion';
  if (send.maxAccessCount !== null && send.accessCount >= send.maxAccessCount) return 'maximum access count reached';
  return null;
}

async function openSeed(send: SendResponse, userKey: SymmetricKey): Promise<Uint8Array<ArrayBuffer>> {
  const seed = await decryptBytes(send.key, userKey);
  if (seed.length !== 16) throw new Error('A Send key is a 16-byte seed.');
  return seed;
}

async function dec(value: string | null | undefined, key: SymmetricKey): Promise<string> {
  return value ? decryptString(value, key).catch(() => '[cannot decrypt]') : '';
}

export async function decryptSend(send: SendResponse, userKey: SymmetricKey, origin: string): Promise<SendView> {
  const view: SendView = {
    id: send.id, accessId: send.accessId, type: send.type, name: '[cannot decrypt]', notes: '', text: '', hidden: send.text?.hidden ?? false,
    fileName: '', sizeName: send.file?.sizeName ?? '', maxAccessCount: send.maxAccessCount, accessCount: send.accessCount,
    hasPassword: send.password != null, disabled: send.disabled, hideEmail: send.hideEmail, expirationDate: send.expirationDate,
    deletionDate: send.deletionDate, revisionDate: send.revisionDate, url: '',
  };
  let seed: Uint8Array<ArrayBuffer>;
  try {
    seed = await openSeed(send, userKey);
  } catch {
    return view;
  }
  const key = await makeSendKey(seed);
  view.url = sendUrl(origin, send.accessId, seed);
  [view.name, view.notes, view.text, view.fileName] = await Promise.all([dec(send.name, key), dec(send.notes, key), dec(send.text?.text, key), dec(send.file?.fileName, key)]);
  return view;
}

export interface EncryptedSend {
  request: SendRequest;
  /** The Send key, for the file of a new file Send. */
  sendKey: SymmetricKey;
}

/**
 * The request of a create (no `existing`: a new seed) or an edit (the stored seed, re-encrypted with a fresh IV, so
 * the link stays valid, §3.6). `password` is set only when the user typed one: an edit without it keeps the stored
 * password (the server ignores `authType` on edit for exactly this case).
 */
export async function encryptSend(draft: SendDraft, userKey: SymmetricKey, options: { existing?: SendResponse; password?: string; fileName?: string } = {}): Promise<EncryptedSend> {
  const seed = options.existing ? await openSeed(options.existing, userKey) : randomBytes(16);
  const sendKey = await makeSendKey(seed);
  const password = options.password ? await sendPasswordHash(options.password, seed) : undefined;
  const request: SendRequest = {
    type: draft.type,
    name: await encryptString(draft.name, sendKey),
    notes: draft.notes ? await encryptString(draft.notes, sendKey) : null,
    key: await encryptBytes(seed, userKey),
    maxAccessCount: draft.maxAccessCount,
    expirationDate: draft.expirationDate,
    deletionDate: draft.deletionDate,
    emails: null,
    disabled: draft.disabled,
    hideEmail: draft.hideEmail,
    authType: password || options.existing?.password != null ? SendAuthType.Password : SendAuthType.None,
  };
  if (password) request.password = password;
  if (draft.type === SendType.Text) {
    request.text = { text: await encryptString(draft.text, sendKey), hidden: draft.hidden };
  } else if (options.existing) {
    // The file cannot change on edit; its encrypted name goes back as stored.
    request.file = { fileName: options.existing.file?.fileName ?? '' };
  } else {
    // `fileLength` (the encrypted file's length) is set by the caller once the file is encrypted under sendKey.
    request.file = { fileName: await encryptString(options.fileName ?? 'file', sendKey) };
  }
  return { request, sendKey };
}

/** A file for a new file Send, under its Send key (the request's `fileLength` is the result's length). */
export function encryptSendFile(plain: Uint8Array<ArrayBuffer>, sendKey: SymmetricKey): Promise<Uint8Array<ArrayBuffer>> {
  return encryptFile(plain, sendKey);
}

export interface ReceivedSend {
  type: number;
  name: string;
  text: string;
  hidden: boolean;
  file: { id: string; fileName: string; sizeName: string } | null;
  expirationDate: string | null;
  /** The sender's e-mail, or null when hidden. */
  creator: string | null;
}

/** Decrypts what POST /api/sends/access returned with the key from the link. */
export async function openReceived(access: SendAccessResponse, sendKey: SymmetricKey): Promise<ReceivedSend> {
  const [name, text, fileName] = await Promise.all([
    decryptString(access.name, sendKey),
    access.text?.text ? decryptString(access.text.text, sendKey) : Promise.resolve(''),
    access.file?.fileName ? decryptString(access.file.fileName, sendKey) : Promise.resolve(''),
  ]);
  return {
    type: access.type, name, text, hidden: access.text?.hidden ?? false,
    file: access.file ? { id: access.file.id, fileName, sizeName: access.file.sizeName } : null,
    expirationDate: access.expirationDate, creator: access.creatorIdentifier,
  };
}

/** Opens the downloaded file of a Send. */
export function decryptSendFile(data: Uint8Array<ArrayBuffer>, sendKey: SymmetricKey): Promise<Uint8Array<ArrayBuffer>> {
  return decryptFile(data, sendKey);
}

/** A download file name that cannot name a folder: the last path segment, without control characters. */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base : 'download';
}
