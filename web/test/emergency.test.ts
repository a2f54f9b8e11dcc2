import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import {
  deriveMasterKey, emergencyPasswordRequest, fromHex, makeKeyPair, SymmetricKey, toHex, unwrapKeyBytes, unwrapPrivateKey,
  unwrapUserKey, userKeyId, wrapForPublicKey,
} from '../src/crypto';
import { vectors } from './vectors';

// Emergency access key material (sharing doc §4.4): the grantor's user key (the 0x00..0x3f vector) wrapped for the
// grantee's public key, opened with the grantee's private key, and re-wrapped under the new password at takeover.
const a = vectors.pbkdf2Account;
const grantorKeyBytes = () => fromHex(vectors.protectedUserKey.userKeyHex);

async function grantee() {
  const userKey = await SymmetricKey.fromBytes(webcrypto.getRandomValues(new Uint8Array(64)));
  const pair = await makeKeyPair(userKey);
  return { publicKey: pair.publicKey, privateKey: await unwrapPrivateKey(pair.encryptedPrivateKey, userKey) };
}

test('the grantor key wrapped for the grantee opens with its private key only, as the same 64 bytes', async () => {
  const g = await grantee();
  const other = await grantee();
  const wrapped = await wrapForPublicKey(grantorKeyBytes(), g.publicKey);
  assert.match(wrapped, /^4\./);
  assert.equal(toHex(await unwrapKeyBytes(wrapped, g.privateKey)), vectors.protectedUserKey.userKeyHex);
  await assert.rejects(unwrapKeyBytes(wrapped, other.privateKey));
  await assert.rejects(unwrapKeyBytes(vectors.protectedUserKey.encString, g.privateKey), /expected 4/);
});

test('takeover with the vector account KDF and salt gives its login hash and a key its password opens', async () => {
  const g = await grantee();
  const answer = { kdf: 0, kdfIterations: a.kdf.iterations, kdfMemory: null, kdfParallelism: null, keyEncrypted: await wrapForPublicKey(grantorKeyBytes(), g.publicKey), salt: a.salt };
  const body = await emergencyPasswordRequest(answer, g.privateKey, a.password, 'ignored@example.com');
  assert.equal(body.authenticationData.masterPasswordAuthenticationHash, a.masterPasswordHash);
  assert.equal(body.authenticationData.salt, a.salt);
  assert.deepEqual(body.unlockData.kdf, { kdfType: 0, iterations: 600000, memory: null, parallelism: null });
  assert.deepEqual(body.authenticationData.kdf, body.unlockData.kdf);
  const userKey = await unwrapUserKey(body.unlockData.masterKeyWrappedUserKey, await deriveMasterKey(a.password, a.salt, a.kdf));
  assert.ok(userKey instanceof SymmetricKey);
  assert.equal(await userKeyId(grantorKeyBytes()), vectors.protectedUserKey.userKeyId);
});

test('takeover without a salt in the answer uses the grantor e-mail; a lowered KDF is refused', async () => {
  const g = await grantee();
  const keyEncrypted = await wrapForPublicKey(grantorKeyBytes(), g.publicKey);
  const body = await emergencyPasswordRequest({ kdf: 0, kdfIterations: a.kdf.iterations, keyEncrypted, salt: null }, g.privateKey, a.password, a.emailAsTyped);
  assert.equal(body.unlockData.salt, a.salt);
  assert.equal(body.authenticationData.masterPasswordAuthenticationHash, a.masterPasswordHash);
  await assert.rejects(emergencyPasswordRequest({ kdf: 0, kdfIterations: 1000, keyEncrypted, salt: a.salt }, g.privateKey, a.password, ''), /weaker/);
});
