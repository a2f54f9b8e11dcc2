import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerIntegrityError } from '../src/integrity';
import { CipherType, type CipherResponse } from '../src/models';
import { createPins } from '../src/pins';
import { acceptItem, acceptVault, checkEcho, checkVault, forgetOwnDelete, held } from '../src/vaultchecks';

// Distinct well-formed EncStrings (the checks read digests only, nothing is decrypted).
let n = 0;
const enc = () => `2.${btoa(String(++n).padStart(12, '0'))}|AAAAAAAAAAAAAAAAAAAAAA==|AAAA`;

function cipher(id: string, over: Partial<CipherResponse> = {}): CipherResponse {
  return {
    id, type: CipherType.Login, folderId: null, favorite: false, reprompt: 0, name: enc(), notes: null, key: enc(),
    login: { username: enc(), password: enc(), totp: null, uris: [{ uri: enc(), uriChecksum: enc(), match: null }] },
    secureNote: null, card: null, identity: null, fields: null, passwordHistory: null,
    creationDate: '2026-12-01T10:00:00Z', revisionDate: '2026-12-01T10:00:00Z', deletedDate: null, organizationId: null, ...over,
  };
}

async function pinned(...ciphers: CipherResponse[]) {
  const pins = createPins('https://vault.test', 'a@b.test');
  await acceptVault(pins, ciphers, '2026-12-01T10:00:00.000Z', await checkVault(pins, ciphers, '2026-12-01T10:00:00.000Z'));
  return pins;
}

const codes = (findings: { code: string }[]) => findings.map((f) => f.code).sort();

test('an honest sync has no finding and pins every item and every ciphertext', async () => {
  const a = cipher('A');
  const b = cipher('B');
  const pins = await pinned(a, b);
  assert.deepEqual(Object.keys(pins.ciphers).sort(), ['a', 'b']);
  // key, name, username, password, uri, uriChecksum of each.
  assert.equal(Object.keys(pins.ciphertextIndex).length, 2 * 6);
  assert.equal(pins.cipherKeysInUse, true);
  assert.deepEqual(await checkVault(pins, [a, b], '2026-12-01T10:00:00.000Z'), []);
});

test('one ciphertext twice in one answer refuses the whole sync (ciphertext-reused), cold cache too', async () => {
  const a = cipher('A');
  const b = cipher('B', { notes: a.login!.password });
  await assert.rejects(checkVault(createPins('https://v', 'e'), [a, b], null), (err: unknown) => err instanceof ServerIntegrityError && err.code === 'ciphertext-reused' && err.kind === 'refuse');
  const swapped = cipher('C');
  swapped.notes = swapped.name;
  await assert.rejects(checkVault(createPins('https://v', 'e'), [swapped], null), /one encrypted value twice/);
});

test('a known ciphertext in another field or item quarantines that item (ciphertext-moved)', async () => {
  const a = cipher('A');
  const pins = await pinned(a, cipher('B'));
  const swapped = { ...a, login: { ...a.login!, username: a.login!.password, password: a.login!.username } };
  const findings = await checkVault(pins, [swapped, cipher('B')], null);
  assert.deepEqual(findings.filter((f) => f.cipherId === 'a').map((f) => [f.code, f.kind]), [['ciphertext-moved', 'quarantine']]);
  assert.deepEqual([...held(findings)], ['a']);
});

test('metadata changes: type refused, key lost refused, reprompt off / org move / older revision quarantined', async () => {
  const a = cipher('A', { reprompt: 1 });
  const pins = await pinned(a);
  const check = async (over: Partial<CipherResponse>) => (await checkVault(pins, [{ ...a, ...over }], null)).map((f) => [f.code, f.kind]);
  assert.deepEqual(await check({ type: 2, login: null, secureNote: { type: 0 } }), [['type-change', 'refuse']]);
  assert.deepEqual(await check({ key: null }), [['cipher-key-stripped', 'refuse']]);
  assert.deepEqual(await check({ reprompt: 0 }), [['meta-reprompt-off', 'quarantine']]);
  assert.deepEqual(await check({ organizationId: '0195F0E4-0000-7000-8000-0000000000AA' }), [['org-move', 'quarantine']]);
  assert.deepEqual(await check({ revisionDate: '2026-11-30T10:00:00Z' }), [['item-rollback', 'quarantine']]);
  assert.deepEqual(await check({ revisionDate: '2026-12-02T10:00:00Z', reprompt: 1 }), []);
});

test('an older account revision warns (rollback); items gone without a delete here warn (vanish) unless deleted here', async () => {
  const pins = await pinned(cipher('A'), cipher('B'));
  assert.deepEqual(codes(await checkVault(pins, [], '2026-11-01T00:00:00.000Z')), ['rollback', 'vanish']);
  forgetOwnDelete(pins, 'A');
  forgetOwnDelete(pins, 'B');
  assert.deepEqual(await checkVault(pins, [], null), []);
});

test('a held item keeps its old pin until the user accepts the server version', async () => {
  const a = cipher('A', { reprompt: 1 });
  const pins = await pinned(a);
  const off = { ...a, reprompt: 0 };
  const findings = await checkVault(pins, [off], null);
  await acceptVault(pins, [off], null, findings);
  assert.equal(pins.ciphers.a!.reprompt, 1);
  assert.deepEqual(codes(await checkVault(pins, [off], null)), ['meta-reprompt-off']);
  await acceptItem(pins, off);
  assert.deepEqual(await checkVault(pins, [off], null), []);
});

test('the echo of a write must carry the key sent (cipher-key-dropped), and the item stays pinned as keyed', async () => {
  const pins = createPins('https://v', 'e');
  const sent = { key: enc(), type: 1, reprompt: 0 };
  checkEcho(pins, sent, cipher('A', { key: sent.key }));
  assert.equal(pins.ciphers.a!.hasKey, true);
  assert.throws(() => checkEcho(pins, sent, cipher('B', { key: null })), (err: unknown) => err instanceof ServerIntegrityError && err.code === 'cipher-key-dropped' && err.cipherId === 'b');
  assert.equal(pins.ciphers.b!.hasKey, true);
  assert.deepEqual((await checkVault(pins, [cipher('A', { key: sent.key }), cipher('B', { key: null })], null)).filter((f) => f.cipherId === 'b').map((f) => f.code), ['cipher-key-stripped']);
});
