import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciphertextDigest, createPins, MemoryPinStore, pinKey, pinsFromJson, pinsToJson } from '../src/pins';
import { ServerIntegrityError } from '../src/integrity';

test('the pin key is AccountPins.FileKey: 32 hex of SHA-256 over lower(server) LF lower(email), trimmed', async () => {
  // sha256("https://vault.example.com\nalice@example.com")[:32], computed independently.
  assert.equal(await pinKey('https://VAULT.example.com/', '  Alice@Example.com '), 'eabd3d3840206c6b1615bc3d695e93b9');
});

test('a record written by the CLI (AccountPins.ToJson) reads with every member, ids lowercased', () => {
  const cli = `{
  "version": 1,
  "server": "https://vault.example.com",
  "email": "alice@example.com",
  "userId": "0195f0e4-0000-7000-8000-000000000001",
  "kdf": { "type": 0, "iterations": 600000, "memory": null, "parallelism": null },
  "userKeyId": "00112233445566778899aabbccddeeff",
  "protectedUserKeyType": 2,
  "publicKeySha256": "q83vEjRWeJA=",
  "cipherKeysInUse": true,
  "highestServerVersion": "2026.9.0",
  "accountRevisionDate": "2026-12-05T11:00:00+00:00",
  "ciphers": { "0195F0E4-0000-7000-8000-0000000000AA": { "revisionDate": "2026-12-05T10:00:00+00:00", "hasKey": true, "reprompt": 1, "type": 1, "organizationId": null } },
  "ciphertextIndex": { "abc=": { "ownerId": "0195f0e4-0000-7000-8000-0000000000aa", "field": "login.password" } },
  "organizations": {},
  "people": {}
}`;
  const pins = pinsFromJson(cli);
  assert.equal(pins.kdf!.iterations, 600000);
  assert.equal(pins.ciphers['0195f0e4-0000-7000-8000-0000000000aa']!.reprompt, 1);
  assert.equal(pins.ciphertextIndex['abc=']!.field, 'login.password');
  assert.deepEqual(pinsFromJson(pinsToJson(pins)), pins);
});

test('a fresh record has the CLI defaults, and the memory store keeps it by pin key', async () => {
  const store = new MemoryPinStore();
  assert.equal(await store.load('https://a.test', 'b@c.test'), null);
  const pins = createPins('https://a.test/', 'B@c.test');
  pins.kdf = { type: 1, iterations: 3, memory: 64, parallelism: 4 };
  await store.save(pins);
  assert.deepEqual(await store.load('https://a.test', 'b@c.test'), pins);
  assert.deepEqual(Object.keys(JSON.parse(store.records.values().next().value!)).sort(), [
    'accountRevisionDate', 'cipherKeysInUse', 'ciphers', 'ciphertextIndex', 'email', 'highestServerVersion', 'kdf', 'organizations', 'people',
    'protectedUserKeyType', 'publicKeySha256', 'server', 'userId', 'userKeyId', 'version',
  ]);
  assert.throws(() => pinsFromJson('{"version":1}'), /Not a pin record/);
});

test('the ciphertext digest is Base64 SHA-256 of the exact EncString text', async () => {
  assert.equal(await ciphertextDigest('abc'), 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
});

test('an integrity error carries its code and class, refuse by default', () => {
  const err = new ServerIntegrityError('kdf-floor', 'weak', { before: 'a', after: 'b' });
  assert.equal(err.code, 'kdf-floor');
  assert.equal(err.kind, 'refuse');
  assert.deepEqual(err.issue(), { code: 'kdf-floor', message: 'weak', kind: 'refuse', before: 'a', after: 'b', cipherId: undefined });
  assert.equal(new ServerIntegrityError('item-rollback', 'x', { kind: 'quarantine', cipherId: 'c' }).kind, 'quarantine');
});
