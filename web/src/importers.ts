// Reads other vaults' exports into item views: Bitwarden JSON (plain or password-protected), Bitwarden CSV,
// Chrome CSV and Firefox CSV. CSV parsing is Papa Parse's (RFC 4180 quoting, embedded newlines).
import Papa from 'papaparse';
import { decryptString, exportKey, type KdfConfig } from './crypto';
import { CipherType, IDENTITY_FIELDS, emptyItem, type ItemView } from './models';

export type ImportFormat = 'bitwarden-json' | 'bitwarden-csv' | 'chrome-csv' | 'firefox-csv';

export interface ImportResult {
  items: ItemView[];
  /** Folder names; items refer to them by index through folderIndex. */
  folders: string[];
  folderIndex: Map<ItemView, number>;
}

function result(): ImportResult {
  return { items: [], folders: [], folderIndex: new Map() };
}

function put(r: ImportResult, item: ItemView, folder: string | null | undefined): void {
  r.items.push(item);
  const name = folder?.trim();
  if (!name) return;
  let index = r.folders.indexOf(name);
  if (index < 0) index = r.folders.push(name) - 1;
  r.folderIndex.set(item, index);
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function rows(csv: string): Record<string, string>[] {
  const parsed = Papa.parse<Record<string, string>>(csv.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy' });
  if (parsed.errors.length && parsed.data.length === 0) throw new Error(`The CSV file cannot be read: ${parsed.errors[0]!.message}`);
  return parsed.data;
}

function loginItem(name: string, username: string, password: string, uris: string[], notes = '', totp = ''): ItemView {
  const item = emptyItem(CipherType.Login);
  item.name = name;
  item.notes = notes;
  item.login = { username, password, totp, uris: uris.filter(Boolean).map((uri) => ({ uri, match: null })) };
  return item;
}

function hostName(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url || '(no name)';
  }
}

/** Chrome: name,url,username,password[,note]. */
export function importChromeCsv(csv: string): ImportResult {
  const r = result();
  for (const row of rows(csv)) {
    put(r, loginItem(text(row.name) || hostName(text(row.url)), text(row.username), text(row.password), [text(row.url)], text(row.note)), null);
  }
  return r;
}

/** Firefox: url,username,password,httpRealm,formActionOrigin,guid,timeCreated,… — no name, so the host stands in. */
export function importFirefoxCsv(csv: string): ImportResult {
  const r = result();
  for (const row of rows(csv)) {
    const url = text(row.url);
    if (url === 'chrome://FirefoxAccounts') continue;
    put(r, loginItem(hostName(url), text(row.username), text(row.password), [url]), null);
  }
  return r;
}

/** Bitwarden CSV: folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp. */
export function importBitwardenCsv(csv: string): ImportResult {
  const r = result();
  for (const row of rows(csv)) {
    const type = text(row.type).toLowerCase();
    const item = type === 'note' ? emptyItem(CipherType.SecureNote) : loginItem('', text(row.login_username), text(row.login_password), text(row.login_uri).split(/[,\n]/).map((u) => u.trim()), '', text(row.login_totp));
    item.name = text(row.name) || '(no name)';
    item.notes = text(row.notes);
    item.favorite = text(row.favorite) === '1';
    // Custom fields are "name: value" lines.
    item.fields = text(row.fields).split('\n').filter((l) => l.trim()).map((line) => {
      const at = line.indexOf(': ');
      return at < 0 ? { type: 0, name: line, value: '' } : { type: 0, name: line.slice(0, at), value: line.slice(at + 2) };
    });
    put(r, item, text(row.folder));
  }
  return r;
}

interface BitwardenJson {
  encrypted?: boolean;
  passwordProtected?: boolean;
  salt?: string;
  kdfType?: number;
  kdfIterations?: number;
  kdfMemory?: number | null;
  kdfParallelism?: number | null;
  encKeyValidation_DO_NOT_EDIT?: string;
  data?: string;
  folders?: { id: string; name: string }[];
  items?: Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Opens a password-protected export: the key check first, so a wrong password says so plainly. */
async function openProtected(doc: BitwardenJson, password: string): Promise<BitwardenJson> {
  const kdf: KdfConfig = { kdfType: (doc.kdfType ?? 0) as KdfConfig['kdfType'], iterations: doc.kdfIterations ?? 600000, memory: doc.kdfMemory, parallelism: doc.kdfParallelism };
  const key = await exportKey(password, doc.salt ?? '', kdf);
  await decryptString(doc.encKeyValidation_DO_NOT_EDIT ?? '', key).catch(() => {
    throw new Error('Wrong password for this export file.');
  });
  return JSON.parse(await decryptString(doc.data ?? '', key));
}

export function isPasswordProtected(json: string): boolean {
  try {
    return JSON.parse(json).passwordProtected === true;
  } catch {
    return false;
  }
}

export async function importBitwardenJson(json: string, password?: string): Promise<ImportResult> {
  let doc = JSON.parse(json) as BitwardenJson;
  if (doc.encrypted && doc.passwordProtected) {
    if (!password) throw new Error('This export is password protected: enter its password.');
    doc = await openProtected(doc, password);
  } else if (doc.encrypted) {
    throw new Error('This export is encrypted with another account’s key; export it again as plain or password-protected JSON.');
  }
  const folders = new Map((doc.folders ?? []).map((f) => [f.id, f.name]));
  const r = result();
  for (const source of doc.items ?? []) {
    const type = [1, 2, 3, 4].includes(source.type) ? (source.type as CipherType) : CipherType.SecureNote;
    const item = emptyItem(type);
    item.name = text(source.name) || '(no name)';
    item.notes = text(source.notes);
    item.favorite = !!source.favorite;
    item.fields = (source.fields ?? []).map((f: Record<string, unknown>) => ({ type: Number(f.type ?? 0), name: text(f.name), value: text(f.value) }));
    item.passwordHistory = (source.passwordHistory ?? []).filter((p: Record<string, unknown>) => p.password).map((p: Record<string, unknown>) => ({ password: text(p.password), lastUsedDate: text(p.lastUsedDate) || new Date().toISOString() }));
    if (type === CipherType.Login && source.login) {
      const l = source.login;
      item.login = { username: text(l.username), password: text(l.password), totp: text(l.totp), uris: (l.uris ?? []).map((u: Record<string, unknown>) => ({ uri: text(u.uri), match: (u.match as number | null) ?? null })) };
    } else if (type === CipherType.Card && source.card) {
      const c = source.card;
      item.card = { cardholderName: text(c.cardholderName), brand: text(c.brand), number: text(c.number), expMonth: text(c.expMonth), expYear: text(c.expYear), code: text(c.code) };
    } else if (type === CipherType.Identity && source.identity) {
      for (const f of IDENTITY_FIELDS) item.identity[f] = text(source.identity[f]);
    }
    put(r, item, source.folderId ? folders.get(source.folderId) : null);
  }
  return r;
}

export async function importFile(format: ImportFormat, content: string, password?: string): Promise<ImportResult> {
  switch (format) {
    case 'bitwarden-json':
      return importBitwardenJson(content, password);
    case 'bitwarden-csv':
      return importBitwardenCsv(content);
    case 'chrome-csv':
      return importChromeCsv(content);
    case 'firefox-csv':
      return importFirefoxCsv(content);
  }
}
