// Bitwarden's export formats: plain JSON, and password-protected JSON (the whole plain export encrypted under a
// key derived from the export password with a random salt; Bitwarden's IndividualVaultExportService), which
// `bw import bitwardenjson` and Coffer read back.
import { DEFAULT_KDF, encryptString, exportKey, randomBytes, toBase64, type KdfConfig } from './crypto';
import { CipherType, type FolderView, type ItemView } from './models';

function exportItem(item: ItemView) {
  const base = {
    passwordHistory: item.passwordHistory.length ? item.passwordHistory : null,
    revisionDate: item.revisionDate,
    creationDate: item.revisionDate,
    deletedDate: null,
    id: item.id,
    organizationId: null,
    folderId: item.folderId,
    type: item.type,
    reprompt: 0,
    name: item.name,
    notes: item.notes || null,
    favorite: item.favorite,
    fields: item.fields.map((f) => ({ name: f.name || null, value: f.value || null, type: f.type, linkedId: null })),
    collectionIds: null,
  };
  const nul = (v: string) => v || null;
  switch (item.type) {
    case CipherType.Login:
      return { ...base, login: { fido2Credentials: [], uris: item.login.uris.map((u) => ({ match: u.match, uri: u.uri })), username: nul(item.login.username), password: nul(item.login.password), totp: nul(item.login.totp) } };
    case CipherType.SecureNote:
      return { ...base, secureNote: { type: 0 } };
    case CipherType.Card:
      return { ...base, card: Object.fromEntries(Object.entries(item.card).map(([k, v]) => [k, nul(v)])) };
    case CipherType.Identity:
      return { ...base, identity: Object.fromEntries(Object.entries(item.identity).map(([k, v]) => [k, nul(v)])) };
  }
}

export function exportJson(items: ItemView[], folders: FolderView[]): string {
  return JSON.stringify({ encrypted: false, folders: folders.map((f) => ({ id: f.id, name: f.name })), items: items.map(exportItem) }, null, 2);
}

export async function exportEncryptedJson(items: ItemView[], folders: FolderView[], password: string, kdf: KdfConfig = DEFAULT_KDF): Promise<string> {
  const salt = toBase64(randomBytes(16));
  const key = await exportKey(password, salt, kdf);
  const argon = kdf.kdfType === 1;
  return JSON.stringify({
    encrypted: true,
    passwordProtected: true,
    salt,
    kdfType: kdf.kdfType,
    kdfIterations: kdf.iterations,
    kdfMemory: argon ? kdf.memory : null,
    kdfParallelism: argon ? kdf.parallelism : null,
    // A random value encrypted under the same key: importers check it to tell a wrong password from damage.
    encKeyValidation_DO_NOT_EDIT: await encryptString(crypto.randomUUID(), key),
    data: await encryptString(exportJson(items, folders), key),
  }, null, 2);
}

export function download(filename: string, content: string | Uint8Array<ArrayBuffer>, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
