// Every cryptographic operation of the web vault, and nothing else (protocol doc §2). WebCrypto does PBKDF2,
// HMAC, AES-CBC, SHA and RSA-OAEP; hash-wasm does Argon2id, which WebCrypto lacks. Checked by test/crypto.test.ts
// against tests/vectors/crypto-vectors.json, the same file Coffer.Protocol's and Coffer.Client's tests read, so the two cannot drift.
import { argon2id } from 'hash-wasm';
import { checkPreloginKdf } from './integrity';

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export const KdfType = { Pbkdf2Sha256: 0, Argon2id: 1 } as const;
export type KdfType = (typeof KdfType)[keyof typeof KdfType];

/** The account's KDF; memory is in MiB, as on the wire. */
export interface KdfConfig {
  kdfType: KdfType;
  iterations: number;
  memory?: number | null;
  parallelism?: number | null;
}

export const DEFAULT_KDF: KdfConfig = { kdfType: KdfType.Pbkdf2Sha256, iterations: 600_000 };

/**
 * Coffer's KDF floor (integrity.ts isBelowFloor: what a Coffer server accepts for any account), refused as `kdf-floor`
 * before anything is derived: a server, or someone in the middle, must not be able to make the client derive a cheap
 * hash of a master password.
 */
export function checkKdfFloor(kdf: KdfConfig): void {
  checkPreloginKdf({ type: kdf.kdfType, iterations: kdf.iterations, memory: kdf.memory ?? null, parallelism: kdf.parallelism ?? null }, null);
}

// ---------- encodings ----------

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

export async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle.digest('SHA-256', data));
}

// ---------- master key, master password hash, stretched key (protocol §2.2) ----------

/** The KDF salt: the e-mail trimmed and lowercased, whatever the user typed. */
export function normalizeSalt(email: string): string {
  return email.trim().toLowerCase();
}

async function pbkdf2(password: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const key = await subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256));
}

/** Argon2id with the SDK's parameters: version 0x13, 32 bytes, memory MiB × 1024 KiB, salt = SHA-256(salt string). */
export async function argon2idRaw(password: Uint8Array, salt: Uint8Array, iterations: number, memoryKiB: number, parallelism: number): Promise<Uint8Array<ArrayBuffer>> {
  const out = await argon2id({ password, salt, iterations, memorySize: memoryKiB, parallelism, hashLength: 32, outputType: 'binary' });
  return new Uint8Array(out);
}

export async function deriveMasterKey(password: string, salt: string, kdf: KdfConfig): Promise<Uint8Array<ArrayBuffer>> {
  const secret = utf8(password);
  if (kdf.kdfType === KdfType.Pbkdf2Sha256) {
    return pbkdf2(secret, utf8(salt), kdf.iterations);
  }
  if (kdf.kdfType === KdfType.Argon2id) {
    return argon2idRaw(secret, await sha256(utf8(salt)), kdf.iterations, (kdf.memory ?? 0) * 1024, kdf.parallelism ?? 1);
  }
  throw new Error(`Unknown KDF type ${String(kdf.kdfType)}.`);
}

/** What the server sees instead of the password: one PBKDF2 round of the master key salted with the password. */
export async function masterPasswordHash(masterKey: Uint8Array<ArrayBuffer>, password: string): Promise<string> {
  return toBase64(await pbkdf2(masterKey, utf8(password), 1));
}

async function hmacSha256(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const k = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, data));
}

/**
 * HKDF-Expand only (no Extract), L = 32: one HMAC block, HMAC(PRK, info || 0x01). WebCrypto's HKDF always
 * extracts first, so it cannot produce Bitwarden's values.
 */
export async function stretchMasterKey(masterKey: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const enc = await hmacSha256(masterKey, concat(utf8('enc'), new Uint8Array([1])));
  const mac = await hmacSha256(masterKey, concat(utf8('mac'), new Uint8Array([1])));
  return concat(enc, mac);
}

// ---------- symmetric keys and EncStrings (protocol §2.3) ----------

/** An AES-256-CBC + HMAC-SHA256 key pair as non-extractable WebCrypto keys: dropping the object drops the key. */
export class SymmetricKey {
  private constructor(
    readonly encKey: CryptoKey,
    readonly macKey: CryptoKey,
  ) {}

  static async fromBytes(bytes: Uint8Array<ArrayBuffer>): Promise<SymmetricKey> {
    if (bytes.length !== 64) throw new Error('A symmetric key is 64 bytes (encryption key and MAC key).');
    const [enc, mac] = await Promise.all([
      subtle.importKey('raw', bytes.slice(0, 32), 'AES-CBC', false, ['encrypt', 'decrypt']),
      subtle.importKey('raw', bytes.slice(32, 64), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
    ]);
    return new SymmetricKey(enc, mac);
  }
}

export interface EncStringParts {
  iv: Uint8Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
  mac: Uint8Array<ArrayBuffer>;
}

/** Parses `2.iv|ct|mac`. Type 2 is the only symmetric type of V1 accounts; anything else is refused. */
export function parseEncString(value: string): EncStringParts {
  const dot = value.indexOf('.');
  const type = value.slice(0, dot);
  if (dot < 1 || type !== '2') throw new Error(`Unsupported EncString type '${type}'.`);
  const parts = value.slice(dot + 1).split('|');
  if (parts.length !== 3) throw new Error('A type 2 EncString has three parts.');
  const [iv, data, mac] = parts.map(fromBase64) as [Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>];
  if (iv.length !== 16 || mac.length !== 32 || data.length === 0 || data.length % 16 !== 0) throw new Error('Malformed EncString.');
  return { iv, data, mac };
}

export async function encryptBytes(plain: Uint8Array<ArrayBuffer>, key: SymmetricKey, iv: Uint8Array<ArrayBuffer> = randomBytes(16)): Promise<string> {
  const data = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, key.encKey, plain));
  const mac = new Uint8Array(await subtle.sign('HMAC', key.macKey, concat(iv, data)));
  return `2.${toBase64(iv)}|${toBase64(data)}|${toBase64(mac)}`;
}

export function encryptString(plain: string, key: SymmetricKey, iv?: Uint8Array<ArrayBuffer>): Promise<string> {
  return encryptBytes(utf8(plain), key, iv);
}

/**
 * What every failed decryption of user data says, whatever failed: a MAC mismatch, a type 0 (unauthenticated) or
 * other unsupported type, a malformed value. One text, so nothing distinguishes padding, MAC and format failures
 * (malicious-server doc BW12: no oracle).
 */
export const DECRYPTION_FAILED = 'Decryption failed: wrong key, or the data was altered.';

/**
 * Verifies the MAC before decrypting (encrypt-then-MAC); WebCrypto's verify compares in constant time. Only type 2
 * is decrypted: type 0 (no MAC) never is, anywhere.
 */
export async function decryptBytes(value: string, key: SymmetricKey): Promise<Uint8Array<ArrayBuffer>> {
  let parts: EncStringParts;
  try {
    parts = parseEncString(value);
  } catch {
    throw new Error(DECRYPTION_FAILED);
  }
  const { iv, data, mac } = parts;
  if (!(await subtle.verify('HMAC', key.macKey, mac, concat(iv, data)))) {
    throw new Error(DECRYPTION_FAILED);
  }
  return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv }, key.encKey, data));
}

export async function decryptString(value: string, key: SymmetricKey): Promise<string> {
  return fromUtf8(await decryptBytes(value, key));
}

// ---------- the user key ----------

/** The master key as it wraps the user key: stretched into a 64-byte EncString key. */
export async function stretchedKey(masterKey: Uint8Array<ArrayBuffer>): Promise<SymmetricKey> {
  return keyOf(await stretchMasterKey(masterKey));
}

/** Imports 64 key bytes as a SymmetricKey and zeroes the bytes, whatever happens. */
async function keyOf(raw: Uint8Array<ArrayBuffer>): Promise<SymmetricKey> {
  try {
    return await SymmetricKey.fromBytes(raw);
  } finally {
    raw.fill(0);
  }
}

/** Unwraps the protected user key; a wrong password shows as a MAC mismatch. */
export async function unwrapUserKey(protectedUserKey: string, masterKey: Uint8Array<ArrayBuffer>): Promise<SymmetricKey> {
  return unwrapSymmetricKey(protectedUserKey, await stretchedKey(masterKey));
}

/** RFC 9679 COSE-key thumbprint of a V1 key, truncated to 16 bytes (protocol §2.4). */
export async function userKeyId(userKeyBytes: Uint8Array): Promise<string> {
  const digest = await sha256(concat(new Uint8Array([0xa2, 0x01, 0x04, 0x20, 0x58, 0x40]), userKeyBytes));
  return toHex(digest.subarray(0, 16));
}

// ---------- RSA key pair (protocol §2.2) ----------

export interface AccountKeyPair {
  publicKey: string;
  encryptedPrivateKey: string;
}

/** RSA-2048, e = 65537: SPKI public key in clear, PKCS#8 private key wrapped under the user key. */
export async function makeKeyPair(userKey: SymmetricKey): Promise<AccountKeyPair> {
  const pair = await subtle.generateKey(
    { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' },
    true,
    ['encrypt', 'decrypt'],
  );
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  try {
    return { publicKey: toBase64(spki), encryptedPrivateKey: await encryptBytes(pkcs8, userKey) };
  } finally {
    pkcs8.fill(0);
  }
}

/** Checks that the wrapped private key opens under the user key and is a valid RSA key. */
export async function unwrapPrivateKey(encryptedPrivateKey: string, userKey: SymmetricKey): Promise<CryptoKey> {
  const pkcs8 = await decryptBytes(encryptedPrivateKey, userKey);
  try {
    return await subtle.importKey('pkcs8', pkcs8, { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['decrypt']);
  } finally {
    pkcs8.fill(0);
  }
}

// ---------- organizations (organizations doc §2; malicious-server doc §2.3) ----------

/**
 * The Base64 SPKI public key of the account's own key pair, computed from its private key rather than asked of the
 * server: the organization key is wrapped for it, and a server that answered with its own key would receive it.
 */
export async function publicKeyOf(encryptedPrivateKey: string, userKey: SymmetricKey): Promise<string> {
  const pkcs8 = await decryptBytes(encryptedPrivateKey, userKey);
  try {
    const priv = await subtle.importKey('pkcs8', pkcs8, { name: 'RSA-OAEP', hash: 'SHA-1' }, true, ['decrypt']);
    const { n, e } = await subtle.exportKey('jwk', priv);
    const pub = await subtle.importKey('jwk', { kty: 'RSA', n, e, alg: 'RSA-OAEP', ext: true }, { name: 'RSA-OAEP', hash: 'SHA-1' }, true, ['encrypt']);
    return toBase64(new Uint8Array(await subtle.exportKey('spki', pub)));
  } finally {
    pkcs8.fill(0);
  }
}

/** Imports a Base64 SPKI RSA public key for RSA-OAEP-SHA1 wrapping; a malformed key throws. */
async function importPublicKey(publicKey: string): Promise<CryptoKey> {
  return subtle.importKey('spki', fromBase64(publicKey), { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['encrypt']);
}

/**
 * EncString type 4: `4.` + Base64(RSA-OAEP(SHA-1, MGF1-SHA-1, no label)(publicKey, key)), organizations doc §2.2.
 * `publicKey` is the member's Base64 DER SubjectPublicKeyInfo; `key` the 64-byte organization key. Randomised:
 * two wraps of one key differ.
 */
export async function wrapForPublicKey(key: Uint8Array<ArrayBuffer>, publicKey: string): Promise<string> {
  const wrapped = new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, await importPublicKey(publicKey), key));
  return `4.${toBase64(wrapped)}`;
}

/** Opens a type-4 EncString with the account's private key (from unwrapPrivateKey) into a 64-byte symmetric key. */
export async function unwrapOrgKey(wrapped: string, privateKey: CryptoKey): Promise<SymmetricKey> {
  if (!wrapped.startsWith('4.')) throw new Error(`Unsupported organization key type '${wrapped.split('.')[0]}'.`);
  return keyOf(new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, fromBase64(wrapped.slice(2)))));
}

export interface NewOrganizationKeys {
  /** The organization key wrapped for the creator's own public key (type 4): the creator's membership key. */
  key: string;
  /** The organization's RSA-2048 key pair: SPKI in clear, PKCS#8 under the organization key. */
  keys: AccountKeyPair;
  /** The organization key itself, to encrypt the first collection's name. */
  orgKey: SymmetricKey;
}

/** What the web vault's organization creation sends (organizations doc §2.3): a random 64-byte key and a key pair. */
export async function makeOrganizationKeys(creatorPublicKey: string): Promise<NewOrganizationKeys> {
  const raw = randomBytes(64);
  try {
    const orgKey = await SymmetricKey.fromBytes(raw);
    const [key, keys] = await Promise.all([wrapForPublicKey(raw, creatorPublicKey), makeKeyPair(orgKey)]);
    return { key, keys, orgKey };
  } finally {
    raw.fill(0);
  }
}

/**
 * Re-wraps an organization key for another member: opens the caller's own type-4 copy with the caller's private
 * key, wraps the bytes for `memberPublicKey`. The bytes never leave this function.
 */
export async function rewrapOrgKey(wrapped: string, privateKey: CryptoKey, memberPublicKey: string): Promise<string> {
  if (!wrapped.startsWith('4.')) throw new Error('Unsupported organization key type.');
  const raw = new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, fromBase64(wrapped.slice(2))));
  try {
    if (raw.length !== 64) throw new Error('An organization key is 64 bytes.');
    return await wrapForPublicKey(raw, memberPublicKey);
  } finally {
    raw.fill(0);
  }
}

// ---------- emergency access (sharing doc §4.4) ----------

/** Opens a type-4 EncString holding a 64-byte key (an emergency access `keyEncrypted`) into raw bytes the caller zeroes. */
export async function unwrapKeyBytes(wrapped: string, privateKey: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  if (!wrapped.startsWith('4.')) throw new Error(`Unsupported key type '${wrapped.split('.')[0]}': expected 4 (RSA-OAEP-SHA1).`);
  const raw = new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, fromBase64(wrapped.slice(2))));
  if (raw.length !== 64) {
    raw.fill(0);
    throw new Error('A wrapped user key is 64 bytes.');
  }
  return raw;
}

/** The grantor's KDF and salt as `POST /api/emergency-access/{id}/takeover` answers them. */
export interface TakeoverAnswer {
  kdf: number;
  kdfIterations: number;
  kdfMemory?: number | null;
  kdfParallelism?: number | null;
  keyEncrypted: string;
  salt?: string | null;
}

/**
 * The body of `POST /api/emergency-access/{id}/password` (sharing doc §4.5, newer shape): the grantor's user key,
 * opened with the grantee's private key, wrapped under the master key of the new password derived with the grantor's
 * unchanged KDF and salt (the answer's `salt`, else the grantor's e-mail, as the official web vault does).
 */
export async function emergencyPasswordRequest(answer: TakeoverAnswer, privateKey: CryptoKey, password: string, grantorEmail: string) {
  const kdf: KdfConfig = answer.kdf === KdfType.Argon2id
    ? { kdfType: KdfType.Argon2id, iterations: answer.kdfIterations, memory: answer.kdfMemory ?? undefined, parallelism: answer.kdfParallelism ?? undefined }
    : { kdfType: KdfType.Pbkdf2Sha256, iterations: answer.kdfIterations };
  checkKdfFloor(kdf);
  const raw = await unwrapKeyBytes(answer.keyEncrypted, privateKey);
  try {
    const m = await wrapUserKey(raw, password, answer.salt || grantorEmail, kdf);
    const wire = { kdfType: kdf.kdfType, iterations: kdf.iterations, memory: kdf.memory ?? null, parallelism: kdf.parallelism ?? null };
    return {
      authenticationData: { salt: m.salt, kdf: wire, masterPasswordAuthenticationHash: m.masterPasswordHash },
      unlockData: { salt: m.salt, kdf: wire, masterKeyWrappedUserKey: m.protectedUserKey },
    };
  } finally {
    raw.fill(0);
  }
}

/**
 * The fingerprint phrase of a public key, as the official clients compute it (key service getFingerprint and
 * hashPhrase; malicious-server doc §2.3): keyFingerprint = SHA-256(SPKI DER); fp = HKDF-Expand(PRK = keyFingerprint,
 * info = UTF-8 `material` (the user id), L = 32, SHA-256); then fp read as one big-endian integer gives 5 words
 * (ceil(64 bits / log2(7776))): word i = list[fp mod 7776], fp = fp / 7776. Joined with "-".
 */
export async function fingerprintPhrase(publicKey: string, material: string, wordList: readonly string[]): Promise<string> {
  const keyFingerprint = await sha256(fromBase64(publicKey));
  return hashPhrase(await hmacSha256(keyFingerprint, concat(utf8(material), new Uint8Array([1]))), wordList);
}

/** The last step alone (the clients' hashPhrase with 64 bits of minimum entropy): 32 fingerprint bytes to 5 words. */
export function hashPhrase(fp: Uint8Array, wordList: readonly string[]): string {
  if (wordList.length !== 7776) throw new Error('The fingerprint phrase needs the EFF long word list (7,776 words).');
  let n = BigInt(`0x${toHex(fp)}`);
  const size = BigInt(wordList.length);
  const words: string[] = [];
  for (let i = 0; i < Math.ceil(64 / Math.log2(wordList.length)); i++) {
    words.push(wordList[Number(n % size)]!);
    n /= size;
  }
  return words.join('-');
}

// ---------- what registration and master-password changes send ----------

export interface MasterPasswordMaterial {
  salt: string;
  kdf: KdfConfig;
  masterPasswordHash: string;
  protectedUserKey: string;
}

/** The login hash for a password and account, as the password grant and re-verifications send it. */
export async function loginHash(password: string, email: string, kdf: KdfConfig): Promise<string> {
  const masterKey = await deriveMasterKey(password, normalizeSalt(email), kdf);
  try {
    return await masterPasswordHash(masterKey, password);
  } finally {
    masterKey.fill(0);
  }
}

/** Wraps raw user key bytes under a password: registration, password change and KDF change all end here. */
export async function wrapUserKey(userKeyBytes: Uint8Array<ArrayBuffer>, password: string, email: string, kdf: KdfConfig): Promise<MasterPasswordMaterial> {
  const salt = normalizeSalt(email);
  const masterKey = await deriveMasterKey(password, salt, kdf);
  try {
    return {
      salt,
      kdf,
      masterPasswordHash: await masterPasswordHash(masterKey, password),
      protectedUserKey: await encryptBytes(userKeyBytes, await stretchedKey(masterKey)),
    };
  } finally {
    masterKey.fill(0);
  }
}

export interface NewAccountKeys extends MasterPasswordMaterial {
  userKeyId: string;
  keys: AccountKeyPair;
}

/** A fresh account: 64 random bytes of user key, wrapped under the password, and an RSA pair under the user key. */
export async function makeNewAccount(email: string, password: string, kdf: KdfConfig): Promise<NewAccountKeys> {
  const userKeyBytes = randomBytes(64);
  try {
    const material = await wrapUserKey(userKeyBytes, password, email, kdf);
    const keys = await makeKeyPair(await SymmetricKey.fromBytes(userKeyBytes));
    return { ...material, userKeyId: await userKeyId(userKeyBytes), keys };
  } finally {
    userKeyBytes.fill(0);
  }
}

/**
 * Re-wraps the same user key under a new password or KDF: the current password first opens it, so a wrong
 * password fails here before anything is sent (as Coffer.Client's MasterPasswordChanges does).
 */
export async function rewrapUserKey(
  protectedUserKey: string,
  email: string,
  current: { password: string; kdf: KdfConfig },
  next: { password: string; kdf: KdfConfig },
): Promise<MasterPasswordMaterial & { currentHash: string }> {
  const salt = normalizeSalt(email);
  const masterKey = await deriveMasterKey(current.password, salt, current.kdf);
  try {
    const currentHash = await masterPasswordHash(masterKey, current.password);
    const raw = await decryptBytes(protectedUserKey, await stretchedKey(masterKey));
    try {
      return { ...(await wrapUserKey(raw, next.password, email, next.kdf)), currentHash };
    } finally {
      raw.fill(0);
    }
  } finally {
    masterKey.fill(0);
  }
}

// ---------- password-protected export (Bitwarden's encrypted JSON) ----------

/** The key of a password-protected export: the password through the KDF with a random salt, then stretched. */
export async function exportKey(password: string, salt: string, kdf: KdfConfig): Promise<SymmetricKey> {
  const masterKey = await deriveMasterKey(password, salt, kdf);
  try {
    return await stretchedKey(masterKey);
  } finally {
    masterKey.fill(0);
  }
}

// ---------- files: attachments and Send (sharing doc §1.1, §2.7, §3.3) ----------

/** url-safe Base64 without padding (RFC 4648 §5): Send access ids and the URL key. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The inverse of toBase64Url; padding and the standard alphabet's `+` and `/` are refused. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error('Not url-safe Base64.');
  return fromBase64(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
}

/** EncArrayBuffer header: type byte, 16-byte IV, 32-byte MAC, then at least one AES block. */
const FILE_HEADER = 1 + 16 + 32;

/**
 * Encrypts a file into Bitwarden's EncArrayBuffer (sharing doc §1.1): `0x02 | IV (16) | HMAC-SHA256(macKey, IV ||
 * ct) (32) | AES-256-CBC(encKey, IV, PKCS#7(plain))`. Note the order IV, MAC, ciphertext: not the EncString's.
 * The result is 49 + 16·(floor(len/16) + 1) bytes.
 */
export async function encryptFile(plain: Uint8Array<ArrayBuffer>, key: SymmetricKey, iv: Uint8Array<ArrayBuffer> = randomBytes(16)): Promise<Uint8Array<ArrayBuffer>> {
  const data = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, key.encKey, plain));
  const mac = new Uint8Array(await subtle.sign('HMAC', key.macKey, concat(iv, data)));
  return concat(new Uint8Array([2]), iv, mac, data);
}

/**
 * Decrypts an EncArrayBuffer. The layout (type 2, ≥ 65 bytes, whole blocks) and then the MAC are checked before
 * any decryption, so a tampered or truncated file, or a wrong key, fails without AES ever running on it.
 */
export async function decryptFile(bytes: Uint8Array<ArrayBuffer>, key: SymmetricKey): Promise<Uint8Array<ArrayBuffer>> {
  if (bytes.length < FILE_HEADER + 16 || bytes[0] !== 2 || (bytes.length - FILE_HEADER) % 16 !== 0) {
    throw new Error('Not an encrypted file (EncArrayBuffer type 2).');
  }
  const iv = bytes.slice(1, 17);
  const mac = bytes.slice(17, FILE_HEADER);
  const data = bytes.slice(FILE_HEADER);
  if (!(await subtle.verify('HMAC', key.macKey, mac, concat(iv, data)))) {
    throw new Error('The file MAC does not match: wrong key or tampered file.');
  }
  return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv }, key.encKey, data));
}

/** A fresh 64-byte attachment key (encryption key and MAC key), sharing doc §2.7. */
export function newFileKeyBytes(): Uint8Array<ArrayBuffer> {
  return randomBytes(64);
}

/** Opens a wrapped 64-byte key (an attachment's `key`, an item's `key`) with the key it is under. */
export async function unwrapSymmetricKey(wrapped: string, key: SymmetricKey): Promise<SymmetricKey> {
  return keyOf(await decryptBytes(wrapped, key));
}

/**
 * The 64 bytes of a Send key (sharing doc §3.3): full RFC 5869 HKDF-SHA256 (Extract, then Expand) of the 16-byte
 * seed with salt "bitwarden-send" and info "send". WebCrypto's HKDF is exactly that.
 */
export async function sendKeyBytes(seed: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  if (seed.length !== 16) throw new Error('A Send seed is 16 bytes.');
  const ikm = await subtle.importKey('raw', seed, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: utf8('bitwarden-send'), info: utf8('send') }, ikm, 512));
}

/** The Send key as a SymmetricKey: names, notes, text and the file are encrypted under it. */
export async function makeSendKey(seed: Uint8Array<ArrayBuffer>): Promise<SymmetricKey> {
  return keyOf(await sendKeyBytes(seed));
}

/** Iterations of the client-side Send password hash (the clients' SEND_KDF_ITERATIONS). */
export const SEND_PASSWORD_ITERATIONS = 100_000;

/**
 * What a Send password becomes before it leaves the browser (sharing doc §3.3): Base64 PBKDF2-HMAC-SHA256 of the
 * UTF-8 password, salted with the 16-byte seed, 100,000 iterations, 32 bytes. Sent as `password` when creating or
 * editing and as `password_hash_b64` when receiving; the server hashes it again.
 */
export async function sendPasswordHash(password: string, seed: Uint8Array<ArrayBuffer>): Promise<string> {
  return toBase64(await pbkdf2(utf8(password), seed, SEND_PASSWORD_ITERATIONS));
}

// ---------- TOTP (RFC 4226 / RFC 6238) ----------

export type OtpAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-512';

/** HOTP value of a counter: dynamic truncation of HMAC(secret, counter as 8 bytes big-endian). */
export async function hotp(secret: Uint8Array<ArrayBuffer>, counter: number, digits: number, algorithm: OtpAlgorithm = 'SHA-1'): Promise<string> {
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const key = await subtle.importKey('raw', secret, { name: 'HMAC', hash: algorithm }, false, ['sign']);
  const mac = new Uint8Array(await subtle.sign('HMAC', key, message));
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

// ---------- randomness for the generator ----------

/** A uniform integer in [0, max): rejection sampling over 32-bit values, so no value is favoured by a modulo. */
export function randomInt(max: number): number {
  if (!Number.isInteger(max) || max <= 0 || max > 2 ** 32) throw new RangeError('max must be a positive 32-bit integer.');
  const limit = 2 ** 32 - (2 ** 32 % max);
  const buffer = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(buffer);
    if (buffer[0]! < limit) return buffer[0]! % max;
  }
}

// ---------- passkey unlock with the WebAuthn PRF extension (sharing doc §5.6) ----------

/** The PRF input every passkey login evaluates: SHA-256 of the UTF-8 text `passwordless-login`, as the official clients. */
export function passkeyPrfSalt(): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(utf8('passwordless-login'));
}

/**
 * The 64-byte key a PRF output stands for: HKDF-Expand (no Extract) of the 32-byte output with info `enc` and `mac`,
 * 32 bytes each, the same stretch as the master key's.
 */
export async function prfKeyBytes(prfOutput: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  if (prfOutput.length !== 32) throw new Error('A PRF output is 32 bytes.');
  return stretchMasterKey(prfOutput);
}

/** What the server keeps for a PRF passkey: all three opaque to it. */
export interface PrfKeySet {
  /** The user key wrapped to the key set's RSA public key (type 4). */
  encryptedUserKey: string;
  /** The key set's SPKI public key under the user key (type 2): a key rotation re-wraps the user key to it. */
  encryptedPublicKey: string;
  /** The key set's PKCS#8 private key under the PRF key (type 2): only the passkey opens it. */
  encryptedPrivateKey: string;
}

/**
 * A new key set for a PRF passkey: a fresh RSA-2048 key pair whose public half receives the user key and whose private
 * half is locked under the PRF key. Indirection through the key pair lets a key rotation re-wrap the new user key to
 * the public key without the passkey being present.
 */
export async function makePrfKeySet(prfOutput: Uint8Array<ArrayBuffer>, userKeyBytes: Uint8Array<ArrayBuffer>, userKey: SymmetricKey): Promise<PrfKeySet> {
  const prfKey = await keyOf(await prfKeyBytes(prfOutput));
  const pair = await subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' }, true, ['encrypt', 'decrypt']);
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  try {
    return {
      encryptedUserKey: await wrapForPublicKey(userKeyBytes, toBase64(spki)),
      encryptedPublicKey: await encryptBytes(spki, userKey),
      encryptedPrivateKey: await encryptBytes(pkcs8, prfKey),
    };
  } finally {
    pkcs8.fill(0);
  }
}

/** Opens the user key from a passkey login's `WebAuthnPrfOption` with the PRF output; a wrong passkey fails the MAC. */
export async function unwrapUserKeyWithPrf(prfOutput: Uint8Array<ArrayBuffer>, encryptedPrivateKey: string, encryptedUserKey: string): Promise<SymmetricKey> {
  const prfKey = await keyOf(await prfKeyBytes(prfOutput));
  const privateKey = await unwrapPrivateKey(encryptedPrivateKey, prfKey);
  return unwrapOrgKey(encryptedUserKey, privateKey);
}

/** The user key's 64 bytes, opened with the master password (the key set needs them to wrap; the vault keeps only non-extractable keys). */
export async function userKeyBytes(protectedUserKey: string, password: string, email: string, kdf: KdfConfig): Promise<Uint8Array<ArrayBuffer>> {
  const masterKey = await deriveMasterKey(password, email, kdf);
  try {
    return await decryptBytes(protectedUserKey, await stretchedKey(masterKey));
  } finally {
    masterKey.fill(0);
  }
}
