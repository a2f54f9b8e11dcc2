import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import {
  decryptString, encryptString, fromBase64Url, makePrfKeySet, passkeyPrfSalt, prfKeyBytes, randomBytes, SymmetricKey, toBase64Url, toHex,
  unwrapUserKeyWithPrf,
} from '../src/crypto';
import { assertionJson, attestationJson, creationOptions, requestOptions } from '../src/webauthn';

// Known answers, computed once with Node's crypto (createHash / createHmac) apart from the code under test.
const SALT_HEX = '97b006dfd8db597b892c9a50343b5248ba6c328059ef812cec347ce0d774390b';
const PRF_0_TO_31_ENC_HEX = '9c5639fac602366b486253191cb7900d7d8e3a1514676b118d5803a11dd97213';
const PRF_0_TO_31_MAC_HEX = 'cce388b4ac0f05edee78d40dcbe78a7715640de75ed9ba06942fb42398d6b1f1';

test('the PRF salt is SHA-256 of "passwordless-login"', async () => {
  const salt = await passkeyPrfSalt();
  assert.equal(toHex(salt), SALT_HEX);
  assert.equal(toHex(salt), createHash('sha256').update('passwordless-login').digest('hex'));
});

test('the PRF key is HKDF-Expand of the output with "enc" and "mac" (no Extract)', async () => {
  const prf = new Uint8Array(32).map((_, i) => i);
  const key = await prfKeyBytes(prf);
  assert.equal(toHex(key.subarray(0, 32)), PRF_0_TO_31_ENC_HEX);
  assert.equal(toHex(key.subarray(32)), PRF_0_TO_31_MAC_HEX);
  const other = randomBytes(32);
  const expected = Buffer.concat([createHmac('sha256', other).update('enc\x01', 'latin1').digest(), createHmac('sha256', other).update('mac\x01', 'latin1').digest()]);
  assert.equal(toHex(await prfKeyBytes(other)), expected.toString('hex'));
});

test('a PRF output that is not 32 bytes is refused', async () => {
  await assert.rejects(prfKeyBytes(randomBytes(16)));
});

test('a PRF key set opens to the same user key with the same PRF output, and not with another', async () => {
  const userKeyBytes = randomBytes(64);
  const userKey = await SymmetricKey.fromBytes(userKeyBytes.slice());
  const prf = randomBytes(32);
  const set = await makePrfKeySet(prf, userKeyBytes, userKey);
  assert.match(set.encryptedUserKey, /^4\./);
  assert.match(set.encryptedPublicKey, /^2\./);
  assert.match(set.encryptedPrivateKey, /^2\./);

  const opened = await unwrapUserKeyWithPrf(prf, set.encryptedPrivateKey, set.encryptedUserKey);
  assert.equal(await decryptString(await encryptString('secret', userKey), opened), 'secret');
  await assert.rejects(unwrapUserKeyWithPrf(randomBytes(32), set.encryptedPrivateKey, set.encryptedUserKey));
});

test('server options are decoded from base64url, and excludeCredentials may be empty', () => {
  const challenge = randomBytes(32);
  const userId = randomBytes(16);
  const create = creationOptions({
    rp: { id: 'vault.example', name: 'Coffer' },
    user: { id: toBase64Url(userId), name: 'a@example.com', displayName: 'A' },
    challenge: toBase64Url(challenge),
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    excludeCredentials: [],
    authenticatorSelection: { residentKey: 'required', userVerification: 'required', authenticatorAttachment: null },
    attestation: 'none',
  });
  assert.deepEqual(new Uint8Array(create.challenge as ArrayBuffer), challenge);
  assert.deepEqual(new Uint8Array(create.user.id as ArrayBuffer), userId);
  assert.deepEqual(create.excludeCredentials, []);
  assert.deepEqual(create.authenticatorSelection, { residentKey: 'required', userVerification: 'required' });

  const id = randomBytes(20);
  const get = requestOptions({ challenge: toBase64Url(challenge), rpId: 'vault.example', allowCredentials: [{ type: 'public-key', id: toBase64Url(id) }], userVerification: 'discouraged' });
  assert.deepEqual(new Uint8Array(get.allowCredentials![0]!.id as ArrayBuffer), id);
  assert.equal(get.userVerification, 'discouraged');
});

test('credentials serialize with base64url fields and never an extension result', () => {
  const buffer = (bytes: Uint8Array) => bytes.slice().buffer;
  const [rawId, data, client, signature, handle, attestation] = [8, 37, 60, 70, 16, 90].map((n) => randomBytes(n));
  const assertion = assertionJson({
    id: toBase64Url(rawId!), rawId: buffer(rawId!), type: 'public-key',
    response: { authenticatorData: buffer(data!), clientDataJSON: buffer(client!), signature: buffer(signature!), userHandle: buffer(handle!) },
    getClientExtensionResults: () => ({ prf: { results: { first: new ArrayBuffer(32) } } }),
  } as unknown as PublicKeyCredential);
  assert.deepEqual(fromBase64Url(assertion.response.userHandle!), handle);
  assert.deepEqual(fromBase64Url(assertion.response.signature!), signature);
  assert.deepEqual(assertion.extensions, {});

  const created = attestationJson({
    id: toBase64Url(rawId!), rawId: buffer(rawId!), type: 'public-key',
    response: { attestationObject: buffer(attestation!), clientDataJSON: buffer(client!), getTransports: () => ['internal'] },
  } as unknown as PublicKeyCredential);
  assert.deepEqual(fromBase64Url(created.response.attestationObject!), attestation);
  assert.deepEqual(created.response.transports, ['internal']);
});
