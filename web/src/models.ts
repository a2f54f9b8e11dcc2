// Wire shapes (protocol doc §4.9–4.11) and their decrypted views. Encrypted fields are EncStrings or null.

export const CipherType = { Login: 1, SecureNote: 2, Card: 3, Identity: 4 } as const;
export type CipherType = (typeof CipherType)[keyof typeof CipherType];

export interface LoginUriData { uri: string | null; uriChecksum?: string | null; match: number | null }

export interface LoginData {
  username: string | null;
  password: string | null;
  totp: string | null;
  passwordRevisionDate?: string | null;
  uris: LoginUriData[] | null;
  [extra: string]: unknown;
}

export interface CardData {
  cardholderName: string | null; brand: string | null; number: string | null;
  expMonth: string | null; expYear: string | null; code: string | null;
  [extra: string]: unknown;
}

export const IDENTITY_FIELDS = [
  'title', 'firstName', 'middleName', 'lastName', 'address1', 'address2', 'address3', 'city', 'state',
  'postalCode', 'country', 'company', 'email', 'phone', 'ssn', 'username', 'passportNumber', 'licenseNumber',
] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];
export type IdentityData = Record<IdentityField, string | null> & { [extra: string]: unknown };

export interface FieldData { type: number; name: string | null; value: string | null; linkedId?: number | null }
export interface PasswordHistoryData { password: string; lastUsedDate: string }

/** What requests and responses share; the type objects and lists are optional on the way in, null on the way out. */
interface CipherCommon {
  type: number;
  folderId: string | null;
  favorite: boolean;
  reprompt: number;
  name: string;
  notes: string | null;
}

export interface CipherResponse extends CipherCommon {
  id: string;
  key: string | null;
  login: LoginData | null;
  secureNote: { type: number } | null;
  card: CardData | null;
  identity: IdentityData | null;
  fields: FieldData[] | null;
  passwordHistory: PasswordHistoryData[] | null;
  creationDate: string;
  revisionDate: string;
  deletedDate: string | null;
  [extra: string]: unknown;
}

export interface CipherRequest extends CipherCommon {
  key?: string | null;
  encryptedFor?: string;
  encryptedByKeyId?: string;
  lastKnownRevisionDate?: string;
  login?: LoginData;
  secureNote?: { type: number };
  card?: CardData;
  identity?: IdentityData;
  fields?: FieldData[];
  passwordHistory?: PasswordHistoryData[];
}

export interface FolderResponse { id: string; name: string; revisionDate: string }

export interface SyncResponse {
  profile: {
    id: string;
    email: string;
    name: string | null;
    key: string;
    privateKey: string | null;
    twoFactorEnabled: boolean;
    securityStamp: string;
  };
  folders: FolderResponse[];
  ciphers: CipherResponse[];
  userDecryption?: {
    masterPasswordUnlock?: { kdf: { kdfType: number; iterations: number; memory: number | null; parallelism: number | null }; masterKeyEncryptedUserKey: string; salt: string };
    userKeyId?: string | null;
  } | null;
}

// ---------- decrypted views ----------

export interface LoginView { username: string; password: string; totp: string; uris: { uri: string; match: number | null }[] }
export interface CardView { cardholderName: string; brand: string; number: string; expMonth: string; expYear: string; code: string }
export type IdentityView = Record<IdentityField, string>;
export interface FieldView { type: number; name: string; value: string; linkedId?: number | null }

export interface ItemView {
  id: string | null;
  type: CipherType;
  folderId: string | null;
  favorite: boolean;
  name: string;
  notes: string;
  login: LoginView;
  card: CardView;
  identity: IdentityView;
  fields: FieldView[];
  passwordHistory: { password: string; lastUsedDate: string }[];
  revisionDate: string | null;
  deletedDate: string | null;
}

/** What the list needs of an item: decrypted once at unlock, the rest only when the item is opened. */
export interface ListEntry {
  id: string;
  type: CipherType;
  name: string;
  subtitle: string;
  folderId: string | null;
  favorite: boolean;
  deleted: boolean;
  hasTotp: boolean;
  search: string;
}

export interface FolderView { id: string; name: string }

export function emptyItem(type: CipherType): ItemView {
  return {
    id: null, type, folderId: null, favorite: false, name: '', notes: '',
    login: { username: '', password: '', totp: '', uris: [] },
    card: { cardholderName: '', brand: '', number: '', expMonth: '', expYear: '', code: '' },
    identity: Object.fromEntries(IDENTITY_FIELDS.map((f) => [f, ''])) as IdentityView,
    fields: [], passwordHistory: [], revisionDate: null, deletedDate: null,
  };
}
