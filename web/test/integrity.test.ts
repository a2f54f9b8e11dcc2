import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPreloginKdf, checkProtectedUserKey, checkSyncAnswer, checkTokenAnswer, checkUserKeyLength, isBelowFloor, ServerIntegrityError, type Kdf,
} from '../src/integrity';
import { checkKdfFloor } from '../src/crypto';

const pbkdf2 = (iterations: number): Kdf => ({ type: 0, iterations, memory: null, parallelism: null });
const argon = (t: number, m: number, p: number): Kdf => ({ type: 1, iterations: t, memory: m, parallelism: p });
const code = (c: string) => (err: unknown) => err instanceof ServerIntegrityError && err.code === c;

test('the floor is what a Coffer server accepts: PBKDF2 600,000; Argon2id t 2, m 15 MiB, p 1', () => {
  assert.equal(isBelowFloor(pbkdf2(600_000)), false);
  assert.equal(isBelowFloor(pbkdf2(599_999)), true);
  assert.equal(isBelowFloor(pbkdf2(5_000)), true);
  assert.equal(isBelowFloor(argon(2, 15, 1)), false);
  assert.equal(isBelowFloor(argon(1, 64, 4)), true);
  assert.equal(isBelowFloor(argon(3, 14, 4)), true);
  assert.equal(isBelowFloor(argon(3, 64, 0)), true);
  assert.equal(isBelowFloor({ type: 7, iterations: 1e6, memory: null, parallelism: null }), true);
  assert.throws(() => checkKdfFloor({ kdfType: 0, iterations: 100_000 }), code('kdf-floor'));
});

test('prelogin: below the floor is kdf-floor on first use; weaker than the pin is kdf-downgrade; higher passes', () => {
  assert.throws(() => checkPreloginKdf(pbkdf2(100_000), null), (err: unknown) => code('kdf-floor')(err) && /Raise it from a client you trust/.test((err as Error).message) && /PBKDF2 100,000/.test((err as Error).message));
  assert.throws(() => checkPreloginKdf(pbkdf2(600_000), pbkdf2(700_000)), code('kdf-downgrade'));
  assert.throws(() => checkPreloginKdf(pbkdf2(5_000), pbkdf2(600_000)), (err: unknown) => code('kdf-downgrade')(err) && (err as ServerIntegrityError).before === 'PBKDF2 600,000');
  assert.throws(() => checkPreloginKdf(pbkdf2(2_000_000), argon(3, 64, 4)), code('kdf-downgrade'));
  assert.throws(() => checkPreloginKdf(argon(3, 32, 4), argon(3, 64, 4)), code('kdf-downgrade'));
  assert.throws(() => checkPreloginKdf(argon(3, 64, 2), argon(3, 64, 4)), code('kdf-downgrade'));
  checkPreloginKdf(pbkdf2(700_000), pbkdf2(600_000));
  checkPreloginKdf(argon(4, 64, 4), argon(3, 64, 4));
});

const honestToken = {
  access_token: 'a', Key: '2.AAAA|BBBB|CCCC', PrivateKey: '2.DDDD|EEEE|FFFF', Kdf: 0, KdfIterations: 600000, KdfMemory: null, KdfParallelism: null,
  UserDecryptionOptions: { HasMasterPassword: true, MasterPasswordUnlock: { Kdf: { KdfType: 0, Iterations: 600000, Memory: null, Parallelism: null }, MasterKeyEncryptedUserKey: '2.AAAA|BBBB|CCCC', Salt: 'a@b.c' } },
};

test('the token answer: honest passes; Key Connector, missing keys and another KDF are refused', () => {
  checkTokenAnswer(honestToken, pbkdf2(600_000));
  const opts = honestToken.UserDecryptionOptions;
  assert.throws(() => checkTokenAnswer({ ...honestToken, UserDecryptionOptions: { ...opts, KeyConnectorOption: { KeyConnectorUrl: 'https://kc' } } }, pbkdf2(600_000)), code('kc-convert'));
  assert.throws(() => checkTokenAnswer({ ...honestToken, UserDecryptionOptions: { ...opts, TrustedDeviceOption: {} } }, pbkdf2(600_000)), code('kc-convert'));
  assert.throws(() => checkTokenAnswer({ ...honestToken, UserDecryptionOptions: { ...opts, HasMasterPassword: false } }, pbkdf2(600_000)), code('kc-convert'));
  assert.throws(() => checkTokenAnswer({ ...honestToken, Key: null, UserDecryptionOptions: { HasMasterPassword: true } }, pbkdf2(600_000)), code('keys-missing'));
  assert.throws(() => checkTokenAnswer({ ...honestToken, PrivateKey: null }, pbkdf2(600_000)), code('keys-missing'));
  assert.throws(() => checkTokenAnswer({ ...honestToken, KdfIterations: 5000 }, pbkdf2(600_000)), code('kdf-mismatch'));
  assert.throws(() => checkTokenAnswer({ ...honestToken, UserDecryptionOptions: { ...opts, MasterPasswordUnlock: { ...opts.MasterPasswordUnlock, Kdf: { KdfType: 0, Iterations: 5000 } } } }, pbkdf2(600_000)), code('kdf-mismatch'));
});

const honestSync = {
  profile: { id: 'u', key: '2.A|B|C', privateKey: '2.D|E|F', usesKeyConnector: false, organizations: [{ id: 'o', keyConnectorEnabled: false, keyConnectorUrl: null }] },
  userDecryption: { masterPasswordUnlock: { kdf: { kdfType: 0, iterations: 600000, memory: null, parallelism: null }, masterKeyEncryptedUserKey: '2.A|B|C', salt: 'a' } },
};

test('the sync answer: Key Connector anywhere, missing keys and another KDF are refused', () => {
  checkSyncAnswer(honestSync, pbkdf2(600_000));
  assert.throws(() => checkSyncAnswer({ ...honestSync, profile: { ...honestSync.profile, usesKeyConnector: true } }, null), code('kc-convert'));
  assert.throws(() => checkSyncAnswer({ ...honestSync, profile: { ...honestSync.profile, organizations: [{ id: 'x', keyConnectorEnabled: true, keyConnectorUrl: 'https://kc' }] } }, null), code('kc-convert'));
  assert.throws(() => checkSyncAnswer({ ...honestSync, profile: { ...honestSync.profile, key: null } }, null), code('keys-missing'));
  assert.throws(() => checkSyncAnswer({ ...honestSync, profile: { ...honestSync.profile, privateKey: null } }, null), code('keys-missing'));
  assert.throws(() => checkSyncAnswer({ ...honestSync, userDecryption: {} }, null), code('keys-missing'));
  assert.throws(() => checkSyncAnswer(honestSync, pbkdf2(700_000)), code('kdf-mismatch'));
});

test('the protected user key: type 2 only, type 0 is userkey-type0, a decrypted key must be 64 bytes', () => {
  checkProtectedUserKey('2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAA');
  assert.throws(() => checkProtectedUserKey('0.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA=='), code('userkey-type0'));
  assert.throws(() => checkProtectedUserKey('1.AAAA|BBBB|CCCC'), code('userkey-type'));
  assert.throws(() => checkProtectedUserKey('2.AAAA|BBBB'), code('userkey-type'));
  assert.throws(() => checkProtectedUserKey(''), code('keys-missing'));
  checkUserKeyLength(64);
  assert.throws(() => checkUserKeyLength(32), code('userkey-32byte'));
});
