import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argon2idRaw, DECRYPTION_FAILED, decryptBytes, decryptString, deriveMasterKey, encryptBytes, encryptString, exportKey, fromHex,
  makeNewAccount, masterPasswordHash, normalizeSalt, rewrapUserKey, sha256, stretchMasterKey, SymmetricKey, toBase64,
  toHex, unwrapPrivateKey, unwrapUserKey, userKeyId, utf8, wrapUserKey, loginHash,
} from '../src/crypto';
import {
  fingerprintPhrase, fromBase64, hashPhrase, makeKeyPair, makeOrganizationKeys, publicKeyOf, rewrapOrgKey, unwrapOrgKey,
  wrapForPublicKey,
} from '../src/crypto';
import { webcrypto } from 'node:crypto';
import { totpAt, parseTotp } from '../src/totp';
import list, { parseWordList } from '../src/wordlist';
import { vectors } from './vectors';

const v = vectors;

test('salt is the e-mail trimmed and lowercased', () => {
  assert.equal(normalizeSalt(v.pbkdf2Account.emailAsTyped), v.pbkdf2Account.salt);
});

test('PBKDF2 master key, master password hash and stretched key match the vectors', async () => {
  const a = v.pbkdf2Account;
  const masterKey = await deriveMasterKey(a.password, normalizeSalt(a.emailAsTyped), a.kdf);
  assert.equal(toHex(masterKey), a.masterKeyHex);
  assert.equal(toBase64(masterKey), a.masterKeyBase64);
  assert.equal(await masterPasswordHash(masterKey, a.password), a.masterPasswordHash);
  const stretched = await stretchMasterKey(masterKey);
  assert.equal(toHex(stretched.subarray(0, 32)), a.stretchedEncKeyHex);
  assert.equal(toHex(stretched.subarray(32)), a.stretchedMacKeyHex);
});

test('second PBKDF2 account gives its login hash', async () => {
  const m = v.mockAccount;
  assert.equal(await loginHash(m.password, m.email, m.kdf), m.masterPasswordHash);
  assert.equal(toHex(await deriveMasterKey(m.password, m.email, m.kdf)), m.masterKeyHex);
});

test('Argon2id master keys match the SDK vectors', async () => {
  const a = v.argon2idAccount;
  assert.equal(toHex(await sha256(utf8(a.email))), a.saltSha256Hex);
  assert.equal(toHex(await deriveMasterKey(a.password, a.email, a.kdf)), a.masterKeyHex);
  const s = v.sdkArgon2id;
  assert.equal(toHex(await deriveMasterKey(s.password, s.salt, s.kdf)), s.masterKeyHex);
  const raw = await argon2idRaw(utf8(s.password), utf8(s.salt), s.kdf.iterations, s.kdf.memory * 1024, s.kdf.parallelism);
  assert.equal(toHex(raw), s.rawSaltResultHex);
});

test('Argon2id matches the reference implementation', async () => {
  const r = v.referenceArgon2id;
  assert.equal(toHex(await argon2idRaw(utf8(r.password), utf8(r.salt), r.iterations, r.memoryKiB, r.parallelism)), r.tagHex);
});

test('protected user key: wrapping with the fixed IV gives the vector, unwrapping gives the key', async () => {
  const a = v.pbkdf2Account;
  const p = v.protectedUserKey;
  const stretched = await SymmetricKey.fromBytes(fromHex(a.stretchedEncKeyHex + a.stretchedMacKeyHex));
  assert.equal(await encryptBytes(fromHex(p.userKeyHex), stretched, fromHex(p.ivHex)), p.encString);
  assert.equal(toHex(await decryptBytes(p.encString, stretched)), p.userKeyHex);
  const masterKey = fromHex(a.masterKeyHex);
  const userKey = await unwrapUserKey(p.encString, masterKey);
  assert.equal(await decryptString(v.fieldEncString.encString, userKey), v.fieldEncString.plaintext);
  assert.equal(await userKeyId(fromHex(p.userKeyHex)), p.userKeyId);
});

test('field EncString: encrypting with the fixed IV gives the vector', async () => {
  const f = v.fieldEncString;
  const userKey = await SymmetricKey.fromBytes(fromHex(v.protectedUserKey.userKeyHex));
  assert.equal(await encryptString(f.plaintext, userKey, fromHex(f.ivHex)), f.encString);
});

test('a tampered EncString or a wrong key is refused before decryption', async () => {
  const userKey = await SymmetricKey.fromBytes(fromHex(v.protectedUserKey.userKeyHex));
  const [head, data, mac] = v.fieldEncString.encString.split('|');
  const flipped = `${head}|${data}|${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
  const failed = { message: DECRYPTION_FAILED };
  await assert.rejects(decryptString(flipped, userKey), failed);
  const other = await SymmetricKey.fromBytes(new Uint8Array(64));
  await assert.rejects(decryptString(v.fieldEncString.encString, other), failed);
  // Type 0 (no MAC) is never decrypted, and fails with the very text of a MAC failure (no oracle).
  await assert.rejects(decryptString('0.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==', userKey), failed);
  await assert.rejects(decryptString('2.AAAA|BBBB', userKey), failed);
});

test('a new account opens with its password and its private key opens with its user key', async () => {
  const kdf = { kdfType: 0, iterations: 5000 } as const;
  const account = await makeNewAccount(' New@Example.com', 'a long master password', kdf);
  assert.equal(account.salt, 'new@example.com');
  assert.match(account.userKeyId, /^[0-9a-f]{32}$/);
  assert.equal(account.masterPasswordHash, await loginHash('a long master password', 'new@example.com', kdf));
  const masterKey = await deriveMasterKey('a long master password', account.salt, kdf);
  const userKey = await unwrapUserKey(account.protectedUserKey, masterKey);
  await unwrapPrivateKey(account.keys.encryptedPrivateKey, userKey);
  assert.ok(account.keys.publicKey.length > 300);
});

test('changing the password re-wraps the same user key', async () => {
  const kdf = { kdfType: 0, iterations: 5000 } as const;
  const raw = fromHex(v.protectedUserKey.userKeyHex);
  const before = await wrapUserKey(raw, 'old password', 'a@example.com', kdf);
  const after = await rewrapUserKey(before.protectedUserKey, 'a@example.com', { password: 'old password', kdf }, { password: 'new password', kdf: { kdfType: 1, iterations: 2, memory: 16, parallelism: 1 } });
  assert.equal(after.currentHash, before.masterPasswordHash);
  const masterKey = await deriveMasterKey('new password', 'a@example.com', after.kdf);
  const userKey = await unwrapUserKey(after.protectedUserKey, masterKey);
  assert.equal(await decryptString(v.fieldEncString.encString, userKey), v.fieldEncString.plaintext);
  await assert.rejects(rewrapUserKey(before.protectedUserKey, 'a@example.com', { password: 'wrong', kdf }, { password: 'x', kdf }), /Decryption failed/);
});

test('export key is the stretched KDF output of the password and salt', async () => {
  const a = v.pbkdf2Account;
  const key = await exportKey(a.password, a.salt, a.kdf);
  assert.equal(toHex(await decryptBytes(v.protectedUserKey.encString, key)), v.protectedUserKey.userKeyHex);
});

test('TOTP codes match the RFC 6238 and protocol vectors', async () => {
  for (const t of v.totp) {
    assert.equal((await totpAt(parseTotp(t.secretBase32), t.unixTime)).code, t.code);
  }
  const uri = `otpauth://totp/Example:alice?secret=${v.totp[1].secretBase32}&issuer=Example&digits=6&period=30`;
  assert.equal((await totpAt(parseTotp(uri), v.totp[1].unixTime)).code, v.totp[1].code);
});

// ---------- organizations (bitwarden-organizations.md §2, §11; malicious-server.md §2.3) ----------

const o = vectors.organizationKey;
const f = vectors.fingerprintPhrase;
const words = parseWordList(list);

async function account() {
  const userKey = await SymmetricKey.fromBytes(webcrypto.getRandomValues(new Uint8Array(64)));
  const pair = await makeKeyPair(userKey);
  return { userKey, pair, privateKey: await unwrapPrivateKey(pair.encryptedPrivateKey, userKey) };
}

test('collection name and item password under the fixed organization key match the §11 vectors', async () => {
  const orgKey = await SymmetricKey.fromBytes(fromBase64(o.orgKeyB64));
  assert.equal(await encryptString(o.collectionName, orgKey, fromHex('303132333435363738393a3b3c3d3e3f')), o.collectionNameEncString);
  assert.equal(await encryptString(o.itemPassword, orgKey, fromHex('404142434445464748494a4b4c4d4e4f')), o.itemPasswordEncString);
  assert.equal(await decryptString(o.collectionNameEncString, orgKey), o.collectionName);
  assert.equal(await decryptString(o.itemPasswordEncString, orgKey), o.itemPassword);
  assert.equal(await userKeyId(fromBase64(o.orgKeyB64)), o.orgKeyId);
});

test('the organization key wrapped for a public key is a 344-character type 4 EncString that its private key opens', async () => {
  const member = await account();
  const wrapped = await wrapForPublicKey(fromBase64(o.orgKeyB64), member.pair.publicKey);
  assert.match(wrapped, /^4\.[A-Za-z0-9+/]{342}==$/);
  assert.notEqual(wrapped, await wrapForPublicKey(fromBase64(o.orgKeyB64), member.pair.publicKey), 'OAEP is randomised');
  const orgKey = await unwrapOrgKey(wrapped, member.privateKey);
  assert.equal(await decryptString(o.collectionNameEncString, orgKey), o.collectionName);
  const other = await account();
  await assert.rejects(unwrapOrgKey(wrapped, other.privateKey));
  await assert.rejects(unwrapOrgKey('2.AAAA|AAAA|AAAA', member.privateKey), /Unsupported/);
});

test('the RSA-OAEP-SHA1 wrap is the one Node crypto (and so the official clients) opens', async () => {
  const { generateKeyPairSync, privateDecrypt, constants } = await import('node:crypto');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = toBase64(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
  const wrapped = await wrapForPublicKey(fromBase64(o.orgKeyB64), spki);
  const opened = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(wrapped.slice(2), 'base64'));
  assert.equal(opened.toString('base64'), o.orgKeyB64);
});

test('a new organization: the creator opens its key, its private key opens under the organization key', async () => {
  const creator = await account();
  const own = await publicKeyOf(creator.pair.encryptedPrivateKey, creator.userKey);
  assert.equal(own, creator.pair.publicKey);
  const created = await makeOrganizationKeys(own);
  const opened = await unwrapOrgKey(created.key, creator.privateKey);
  const name = await encryptString('Default collection', created.orgKey);
  assert.equal(await decryptString(name, opened), 'Default collection');
  await unwrapPrivateKey(created.keys.encryptedPrivateKey, opened);
  assert.ok(created.keys.publicKey.length > 300);
});

test('confirming re-wraps the admin copy of the organization key for the member', async () => {
  const admin = await account();
  const member = await account();
  const adminCopy = await wrapForPublicKey(fromBase64(o.orgKeyB64), admin.pair.publicKey);
  const memberCopy = await rewrapOrgKey(adminCopy, admin.privateKey, member.pair.publicKey);
  const orgKey = await unwrapOrgKey(memberCopy, member.privateKey);
  assert.equal(await decryptString(o.itemPasswordEncString, orgKey), o.itemPassword);
});

test('the fingerprint phrase matches the known-answer vector and the clients hashPhrase vector', async () => {
  assert.equal(words.length, 7776);
  assert.equal(await fingerprintPhrase(f.publicKeySpkiB64, f.userId, words), f.phrase);
  assert.equal(hashPhrase(fromBase64(f.fingerprintB64), words), f.phrase);
  assert.equal(hashPhrase(fromBase64(f.hashPhraseOnly.fingerprintB64), words), f.hashPhraseOnly.phrase);
  assert.notEqual(await fingerprintPhrase(f.publicKeySpkiB64, f.userId.replace('7', '8'), words), f.phrase);
  assert.throws(() => hashPhrase(fromBase64(f.fingerprintB64), words.slice(1)), /7,776/);
});
