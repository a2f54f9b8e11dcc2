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
  /** Organization items (organizations doc §7.3): the org whose key opens it, and the caller's own access. */
  organizationId?: string | null;
  collectionIds?: string[] | null;
  edit?: boolean;
  viewPassword?: boolean;
  permissions?: { delete: boolean; restore: boolean } | null;
  /** Uploaded files (sharing doc §2.8): null or [] when there are none. */
  attachments?: AttachmentResponse[] | null;
  [extra: string]: unknown;
}

/** One `attachments[]` entry: the name and key are EncStrings under the item key; `size` is a string of bytes. */
export interface AttachmentResponse {
  id: string;
  url: string | null;
  fileName: string;
  size: string;
  sizeName: string;
  key: string | null;
}

/** The owner's Send object (sharing doc §3.1): `key` is the 16-byte seed under the user key, the rest under the Send key. */
export interface SendResponse {
  id: string;
  accessId: string;
  type: number;
  name: string;
  notes: string | null;
  text: { text: string | null; hidden: boolean } | null;
  file: { id: string | null; fileName: string | null; size: string; sizeName: string } | null;
  key: string;
  maxAccessCount: number | null;
  accessCount: number;
  password: string | null;
  authType: number;
  disabled: boolean;
  hideEmail: boolean;
  revisionDate: string;
  expirationDate: string | null;
  deletionDate: string;
}

/** POST /api/sends and PUT /api/sends/{id}; /api/sends/file/v2 adds `fileLength` and `file`. */
export interface SendRequest {
  type: number;
  name: string;
  notes: string | null;
  key: string;
  maxAccessCount: number | null;
  expirationDate: string | null;
  deletionDate: string;
  password?: string;
  emails: null;
  disabled: boolean;
  hideEmail: boolean;
  authType: number;
  text?: { text: string | null; hidden: boolean };
  file?: { fileName: string };
  fileLength?: number;
}

/** What a recipient gets from POST /api/sends/access (sharing doc §3.8): no key, notes or counts. */
export interface SendAccessResponse {
  id: string;
  type: number;
  name: string;
  text: { text: string | null; hidden: boolean } | null;
  file: { id: string; fileName: string; size: string; sizeName: string } | null;
  expirationDate: string | null;
  creatorIdentifier: string | null;
}

export interface CipherRequest extends CipherCommon {
  key?: string | null;
  organizationId?: string | null;
  encryptedFor?: string;
  encryptedByKeyId?: string;
  lastKnownRevisionDate?: string;
  login?: LoginData;
  secureNote?: { type: number };
  card?: CardData;
  identity?: IdentityData;
  fields?: FieldData[];
  passwordHistory?: PasswordHistoryData[];
  /** Re-wrapped attachment names and keys (sharing doc §2.9): only on a move into an organization. */
  attachments2?: Record<string, { fileName: string; key: string | null }>;
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
    organizations?: ProfileOrganization[] | null;
  };
  folders: FolderResponse[];
  ciphers: CipherResponse[];
  collections?: CollectionDetails[] | null;
  sends?: SendResponse[] | null;
  policies?: PolicyResponse[] | null;
  userDecryption?: {
    masterPasswordUnlock?: { kdf: { kdfType: number; iterations: number; memory: number | null; parallelism: number | null }; masterKeyEncryptedUserKey: string; salt: string };
    userKeyId?: string | null;
  } | null;
}

/** Bitwarden's permissions object of a Custom member (organizations doc §1.4); all false for other types. */
export interface Permissions {
  accessEventLogs: boolean;
  accessImportExport: boolean;
  accessReports: boolean;
  createNewCollections: boolean;
  editAnyCollection: boolean;
  deleteAnyCollection: boolean;
  manageGroups: boolean;
  managePolicies: boolean;
  manageSso: boolean;
  manageUsers: boolean;
  manageResetPassword: boolean;
  manageScim: boolean;
  [extra: string]: boolean;
}

/** One Confirmed membership in sync's profile.organizations[] (organizations doc §7.1). */
export interface ProfileOrganization {
  id: string;
  name: string;
  key: string;
  status: number;
  type: number;
  enabled: boolean;
  organizationUserId?: string | null;
  permissions?: Partial<Permissions> | null;
  limitCollectionCreation?: boolean;
  [extra: string]: unknown;
}

/** A collection as sync lists it: the name under the org key and the caller's own flags (§5.1, §7.2). */
export interface CollectionDetails {
  id: string;
  organizationId: string;
  name: string;
  externalId?: string | null;
  readOnly: boolean;
  hidePasswords: boolean;
  manage: boolean;
}

/** Access of one member or group to one collection (SelectionReadOnly). */
export interface Selection { id: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }

/** collectionAccessDetails: the collection with every member's and group's access (§5.1). */
export interface CollectionAccessDetails extends CollectionDetails {
  assigned?: boolean;
  users?: Selection[] | null;
  groups?: Selection[] | null;
}

export interface PolicyResponse { id: string; organizationId: string; type: number; enabled: boolean; data: Record<string, unknown> | null }

export interface MemberDetails {
  id: string;
  userId: string | null;
  name: string | null;
  email: string;
  status: number;
  type: number;
  permissions?: Partial<Permissions> | null;
  collections?: Selection[] | null;
  groups?: string[] | null;
  twoFactorEnabled?: boolean;
}

export interface GroupResponse { id: string; organizationId: string; name: string; externalId?: string | null; collections?: Selection[] | null }

export interface EventResponse {
  type: number;
  date: string;
  actingUserId?: string | null;
  organizationUserId?: string | null;
  cipherId?: string | null;
  collectionId?: string | null;
  groupId?: string | null;
  policyId?: string | null;
  [extra: string]: unknown;
}

/** Membership types and statuses (organizations doc §1.2). */
export const MemberType = { Owner: 0, Admin: 1, User: 2, Custom: 4 } as const;
export const MemberStatus = { Revoked: -1, Invited: 0, Accepted: 1, Confirmed: 2 } as const;

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
  organizationId: string | null;
  collectionIds: string[];
  /** The caller's access (organizations doc §7.3); always true for personal items. */
  edit: boolean;
  viewPassword: boolean;
  /** Set when a URI's `uriChecksum` did not verify: that URI is shown empty (malicious-server doc BW06). */
  uriChecksumFailed?: boolean;
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
  organizationId: string | null;
  collectionIds: string[];
}

/** A decrypted collection with the caller's flags. */
export interface CollectionView { id: string; organizationId: string; name: string; readOnly: boolean; hidePasswords: boolean; manage: boolean }

/** An organization the caller is a Confirmed member of. */
export interface OrganizationView {
  id: string;
  name: string;
  type: number;
  organizationUserId: string | null;
  permissions: Partial<Permissions>;
  enabled: boolean;
}

export interface FolderView { id: string; name: string }

export function emptyItem(type: CipherType): ItemView {
  return {
    id: null, type, folderId: null, favorite: false, name: '', notes: '',
    login: { username: '', password: '', totp: '', uris: [] },
    card: { cardholderName: '', brand: '', number: '', expMonth: '', expYear: '', code: '' },
    identity: Object.fromEntries(IDENTITY_FIELDS.map((f) => [f, ''])) as IdentityView,
    fields: [], passwordHistory: [], revisionDate: null, deletedDate: null,
    organizationId: null, collectionIds: [], edit: true, viewPassword: true,
  };
}
