import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { makeKeyPair, SymmetricKey, unwrapPrivateKey, userKeyId, wrapForPublicKey } from '../src/crypto';
import type { CipherResponse, SyncResponse } from '../src/models';
import { checkOrganizationKey, checkPerson, judgeOrganization, pinOrganization, pinPerson, screenSync, wrappedKeyId, type OrgStanding, type TrustPins } from '../src/orgtrust';
import { OrganizationOrigin, publicKeyDigest } from '../src/pins';

const now = new Date('2026-12-05T11:00:00Z');
const A = '0b0e0a0a-0000-4000-8000-00000000000a';
const B = '0b0e0a0a-0000-4000-8000-00000000000b';
const empty = (): TrustPins => ({ organizations: {}, people: {} });

async function account() {
  const userKey = await SymmetricKey.fromBytes(webcrypto.getRandomValues(new Uint8Array(64)));
  const pair = await makeKeyPair(userKey);
  return { publicKey: pair.publicKey, privateKey: await unwrapPrivateKey(pair.encryptedPrivateKey, userKey) };
}

test('the key id of a wrapped organization key is the COSE thumbprint of its 64 bytes, whoever wrapped it', async () => {
  const me = await account();
  const raw = webcrypto.getRandomValues(new Uint8Array(64));
  const expected = await userKeyId(raw);
  assert.equal(await wrappedKeyId(await wrapForPublicKey(raw.slice(), me.publicKey), me.privateKey), expected);
  assert.equal(await wrappedKeyId(await wrapForPublicKey(raw.slice(), me.publicKey), me.privateKey), expected);
  const other = webcrypto.getRandomValues(new Uint8Array(64));
  assert.notEqual(await wrappedKeyId(await wrapForPublicKey(other, me.publicKey), me.privateKey), expected);
});

test('an organization without a pin is quarantined; with its pinned key trusted; with another key overwritten', () => {
  const pin = { origin: OrganizationOrigin.CreatedHere, keyId: 'aaaa', publicKeySha256: 'p', pinnedDate: now.toISOString(), recoveryEnrolled: false };
  assert.deepEqual(judgeOrganization(undefined, 'aaaa'), { kind: 'quarantined', keyId: 'aaaa' });
  assert.deepEqual(judgeOrganization(pin, 'aaaa'), { kind: 'trusted', keyId: 'aaaa', firstKey: false });
  assert.deepEqual(judgeOrganization(pin, 'bbbb'), { kind: 'overwritten', pinnedKeyId: 'aaaa', servedKeyId: 'bbbb' });
  // A key that no longer opens is not the pinned key either.
  assert.deepEqual(judgeOrganization(pin, null), { kind: 'overwritten', pinnedKeyId: 'aaaa', servedKeyId: null });
  // Accepted here, confirmed since: the first key the sync brings is the one pinned.
  assert.deepEqual(judgeOrganization({ ...pin, origin: OrganizationOrigin.AcceptedHere, keyId: null }, 'cccc'), { kind: 'trusted', keyId: 'cccc', firstKey: true });
});

test('a pinned key id is never replaced by pinning again; an accepted-here pin takes its first key', () => {
  const pins = empty();
  pinOrganization(pins, A.toUpperCase(), OrganizationOrigin.AcceptedHere, null, 'pub', now);
  assert.equal(pins.organizations[A]!.keyId, null);
  pinOrganization(pins, A, OrganizationOrigin.ConfirmedByUserPrompt, 'k1', null, now);
  assert.deepEqual(pins.organizations[A], { origin: 'accepted-here', keyId: 'k1', publicKeySha256: 'pub', pinnedDate: now.toISOString(), recoveryEnrolled: false });
  pinOrganization(pins, A, OrganizationOrigin.CreatedHere, 'k2', 'other', now);
  assert.equal(pins.organizations[A]!.keyId, 'k1');
  assert.equal(pins.organizations[A]!.publicKeySha256, 'pub');
});

test('the screened sync drops an untrusted organization with its collections, items and policies, and keeps the rest', () => {
  const cipher = (id: string, organizationId: string | null) => ({ id, organizationId }) as unknown as CipherResponse;
  const body = {
    profile: { id: 'u', email: 'e', name: null, key: 'k', privateKey: 'p', twoFactorEnabled: false, securityStamp: 's',
      organizations: [{ id: A, name: 'Mine', key: '4.x', status: 2, type: 0, enabled: true }, { id: B, name: 'Planted', key: '4.y', status: 2, type: 2, enabled: true }] },
    folders: [],
    ciphers: [cipher('personal', null), cipher('mine', A), cipher('planted', B)],
    collections: [{ id: 'c1', organizationId: A, name: '2.a', readOnly: false, hidePasswords: false, manage: true }, { id: 'c2', organizationId: B, name: '2.b', readOnly: false, hidePasswords: false, manage: true }],
    policies: [{ id: 'p1', organizationId: A, type: 2, enabled: true, data: null }, { id: 'p2', organizationId: B, type: 8, enabled: true, data: { autoEnrollEnabled: true } }],
  } as unknown as SyncResponse;
  const standings = new Map<string, OrgStanding>([[A, { kind: 'trusted', keyId: 'k', firstKey: false }], [B, { kind: 'quarantined', keyId: 'k2' }]]);
  const screened = screenSync(body, standings);
  assert.deepEqual(screened.profile.organizations!.map((o) => o.id), [A]);
  assert.deepEqual(screened.ciphers.map((c) => c.id), ['personal', 'mine']);
  assert.deepEqual(screened.collections!.map((c) => c.id), ['c1']);
  assert.deepEqual(screened.policies!.map((p) => p.id), ['p1']);
  // An overwritten organization is dropped the same way; the original body is left as it was.
  const overwritten = screenSync(body, new Map<string, OrgStanding>([[A, { kind: 'overwritten', pinnedKeyId: 'k', servedKeyId: 'z' }]]));
  assert.deepEqual(overwritten.ciphers.map((c) => c.id), ['personal']);
  assert.deepEqual(overwritten.policies, []);
  assert.equal(body.ciphers.length, 3);
});

test('a person keeps the key pinned at the first confirm; another key later is refused with the flow\'s code', async () => {
  const first = await account();
  const swapped = await account();
  const pins = empty();
  const digest = await publicKeyDigest(first.publicKey);
  assert.equal(checkPerson(pins, A, digest, 'confirm-pk-swap', 'bob@example.com'), null);
  pinPerson(pins, A.toUpperCase(), digest, 'org-member', now);
  assert.equal(checkPerson(pins, A, digest, 'ea-pk-swap', 'bob@example.com'), null);
  const refusal = checkPerson(pins, A, await publicKeyDigest(swapped.publicKey), 'ea-pk-swap', 'bob@example.com');
  assert.equal(refusal?.code, 'ea-pk-swap');
  assert.match(refusal!.sentence, /another public key for bob@example\.com .* 2026-12-05/);
  // Pinning again never replaces the first key.
  pinPerson(pins, A, await publicKeyDigest(swapped.publicKey), 'grantee', now);
  assert.equal(pins.people[A]!.publicKeySha256, digest);
});

test('an organization public key other than the pinned one is refused as org-overwrite; an unpinned one may be shown', () => {
  const pins = empty();
  assert.equal(checkOrganizationKey(pins, A, 'digest-1', 'Acme'), null);
  pinOrganization(pins, A, OrganizationOrigin.CreatedHere, 'k', 'digest-1', now);
  assert.equal(checkOrganizationKey(pins, A.toUpperCase(), 'digest-1', 'Acme'), null);
  const refusal = checkOrganizationKey(pins, A, 'digest-2', 'Acme');
  assert.equal(refusal?.code, 'org-overwrite');
  assert.match(refusal!.sentence, /another public key for the organization “Acme”/);
});

test('no code path sends a recovery key: the accept body carries resetPasswordKey null, and no enrolment route exists (BW01)', () => {
  const dir = new URL('../src/', import.meta.url);
  const texts = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(new URL(f, dir), 'utf8'));
  const all = texts.join('\n');
  assert.deepEqual([...all.matchAll(/resetPasswordKey[^,}\n]*/g)].map((m) => m[0].trim()), ['resetPasswordKey: null']);
  assert.ok(!/reset-password|resetPasswordEnrol/i.test(all), 'a source names an account recovery route or flag');
});
