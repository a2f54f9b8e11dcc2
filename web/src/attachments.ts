// Attachments as the clients make them (sharing doc §2.7): a random 64-byte key per file, the file encrypted under
// it as an EncArrayBuffer, and the key and the file name wrapped as EncStrings under the item key (the item's own
// key when it has one, else the user or organization key). The server keeps all three opaque.
import { decryptBytes, decryptFile, decryptString, encryptBytes, encryptFile, encryptString, newFileKeyBytes, SymmetricKey, unwrapSymmetricKey } from './crypto';
import { downloadBytes, type Progress } from './filesapi';
import type { AttachmentResponse } from './models';

export interface AttachmentView {
  id: string;
  /** The decrypted file name, or "[cannot decrypt]". */
  fileName: string;
  /** Bytes of the encrypted file. */
  size: number;
  sizeName: string;
}

export async function decryptAttachments(attachments: AttachmentResponse[] | null | undefined, itemKey: SymmetricKey): Promise<AttachmentView[]> {
  return Promise.all((attachments ?? []).map(async (a) => ({
    id: a.id,
    fileName: await decryptString(a.fileName, itemKey).catch(() => '[cannot decrypt]'),
    size: Number(a.size) || 0,
    sizeName: a.sizeName,
  })));
}

export interface EncryptedAttachment {
  /** The attachment key under the item key (the `key` of the v2 request). */
  key: string;
  /** The file name under the item key. */
  fileName: string;
  /** The EncArrayBuffer to upload; its length is the v2 request's `fileSize`. */
  data: Uint8Array<ArrayBuffer>;
}

export async function encryptAttachment(plain: Uint8Array<ArrayBuffer>, name: string, itemKey: SymmetricKey): Promise<EncryptedAttachment> {
  const raw = newFileKeyBytes();
  try {
    const fileKey = await SymmetricKey.fromBytes(raw);
    const [key, fileName, data] = await Promise.all([encryptBytes(raw, itemKey), encryptString(name, itemKey), encryptFile(plain, fileKey)]);
    return { key, fileName, data };
  } finally {
    raw.fill(0);
  }
}

/** Opens a downloaded file: with its own key, or (attachments from before per-file keys, `key: null`) the item key. */
export async function decryptAttachment(attachment: AttachmentResponse, data: Uint8Array<ArrayBuffer>, itemKey: SymmetricKey): Promise<Uint8Array<ArrayBuffer>> {
  const fileKey = attachment.key ? await unwrapSymmetricKey(attachment.key, itemKey) : itemKey;
  return decryptFile(data, fileKey);
}

/** Downloads a file through the short-lived URL `url` resolves to, and opens it and its name with the item key. */
export async function fetchAttachment(attachment: AttachmentResponse, url: Promise<string>, itemKey: SymmetricKey, progress: Progress): Promise<{ name: string; bytes: Uint8Array<ArrayBuffer> }> {
  const data = await downloadBytes(await url, progress);
  const [bytes, name] = await Promise.all([decryptAttachment(attachment, data, itemKey), decryptString(attachment.fileName, itemKey)]);
  return { name, bytes };
}

/**
 * The `attachments2` of a move into an organization when the item has no key of its own (§2.9): each name and key
 * re-encrypted from the user key to the organization key. A file encrypted directly under the user key (`key: null`)
 * would have to be uploaded again, which the server's share route is for; this vault refuses such a move instead.
 */
export async function rewrapAttachments(attachments: AttachmentResponse[], from: SymmetricKey, to: SymmetricKey): Promise<Record<string, { fileName: string; key: string }>> {
  const out: Record<string, { fileName: string; key: string }> = {};
  for (const a of attachments) {
    if (!a.key) throw new Error('This item has an attachment from an older client without its own key; move it with that client.');
    const raw = await decryptBytes(a.key, from);
    try {
      out[a.id] = { fileName: await encryptString(await decryptString(a.fileName, from), to), key: await encryptBytes(raw, to) };
    } finally {
      raw.fill(0);
    }
  }
  return out;
}
