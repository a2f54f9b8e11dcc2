import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argon2idRaw, decryptBytes, decryptString, deriveMasterKey, encryptBytes, encryptString, exportKey, fromHex,
  makeNewAccount, masterPasswordHash, normalizeSalt, rewrapUserKey, sha256, stretchMasterKey, SymmetricKey, toBase64,
  toHex, unwrapPrivateKey, unwrapUserKey, userKeyId, utf8, wrapUserKey, loginHash,
} from '../src/crypto';
import { totpAt, parseTotp } from '../src/totp';
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
  await assert.rejects(decryptString(flipped, userKey), /MAC/);
  const other = await SymmetricKey.fromBytes(new Uint8Array(64));
  await assert.rejects(decryptString(v.fieldEncString.encString, other), /MAC/);
  await assert.rejects(decryptString('0.AAAA|BBBB', userKey), /Unsupported/);
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
  await assert.rejects(rewrapUserKey(before.protectedUserKey, 'a@example.com', { password: 'wrong', kdf }, { password: 'x', kdf }), /MAC/);
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
