import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import {
  decryptBytes, decryptString, DEFAULT_KDF, encryptBytes, encryptString, fromBase64, makeNewAccount, makeKeyPair, SymmetricKey, unwrapKeyBytes, unwrapPrivateKey,
  userKeyBytes, userKeyId,
} from '../src/crypto';
import type { CipherResponse, SyncResponse } from '../src/models';
import type { TrustPins } from '../src/orgtrust';
import { OrganizationOrigin, publicKeyDigest } from '../src/pins';
import { buildRotation, planRotation, type RotationContext, type RotationData } from '../src/rotation';

const EMAIL = 'rotate@example.com';
const PASSWORD = 'correct horse battery staple';
const ORG = '0b0e0a0a-0000-4000-8000-0000000000aa';
const GRANTEE = '0b0e0a0a-0000-4000-8000-0000000000bb';
const GRANT = '0b0e0a0a-0000-4000-8000-0000000000cc';

const random64 = () => webcrypto.getRandomValues(new Uint8Array(64));

function cipher(id: string, fields: Partial<CipherResponse>): CipherResponse {
  return {
    id, type: 1, folderId: null, favorite: false, reprompt: 0, name: '', notes: null, key: null, login: null, secureNote: null, card: null, identity: null,
    fields: null, passwordHistory: null, creationDate: '2026-12-01T00:00:00Z', revisionDate: '2026-12-01T00:00:00Z', deletedDate: null, ...fields,
  };
}

async function keyPair() {
  const holder = await SymmetricKey.fromBytes(random64());
  const pair = await makeKeyPair(holder);
  return { publicKey: pair.publicKey, privateKey: await unwrapPrivateKey(pair.encryptedPrivateKey, holder) };
}

/** An account with a legacy item (and an attachment and a field this vault does not model), a keyed item, an organization item, a folder and a Send. */
async function account() {
  const created = await makeNewAccount(EMAIL, PASSWORD, DEFAULT_KDF);
  const raw = await userKeyBytes(created.protectedUserKey, PASSWORD, EMAIL, DEFAULT_KDF);
  const userKey = await SymmetricKey.fromBytes(raw);
  const itemKey = await SymmetricKey.fromBytes(random64());
  const itemKeyBytes = random64();
  const passkey = await keyPair();
  const sync: SyncResponse = {
    profile: { id: 'u', email: EMAIL, name: null, key: created.protectedUserKey, privateKey: created.keys.encryptedPrivateKey, twoFactorEnabled: false, securityStamp: 's' },
    folders: [{ id: 'f1', name: await encryptString('Work', userKey), revisionDate: '2026-12-01T00:00:00Z' }],
    ciphers: [
      cipher('legacy', {
        name: await encryptString('Legacy', userKey),
        login: { username: null, password: await encryptString('legacy-pass', userKey), totp: null, uris: [{ uri: await encryptString('https://a.example', userKey), match: null }],
          fido2Credentials: [{ keyValue: await encryptString('fido-secret', userKey), counter: '0' }] },
        attachments: [{ id: 'a1', url: null, fileName: await encryptString('scan.pdf', userKey), size: '1', sizeName: '1 B', key: await encryptBytes(itemKeyBytes.slice(), userKey) }],
      }),
      cipher('keyed', { key: await encryptBytes(random64(), userKey), name: await encryptString('Keyed', itemKey), folderId: 'f1', favorite: true }),
      cipher('org-item', { organizationId: ORG, name: 'not under the user key' }),
    ],
    sends: [{
      id: 's1', accessId: 'x', type: 0, name: '2.name', notes: null, text: { text: '2.text', hidden: false }, file: null, key: await encryptBytes(webcrypto.getRandomValues(new Uint8Array(16)), userKey),
      maxAccessCount: null, accessCount: 0, password: null, authType: 2, disabled: false, hideEmail: false, revisionDate: 'r', expirationDate: null, deletionDate: 'd',
    }],
  };
  const passkeyData = { id: 'p1', encryptedPublicKey: await encryptBytes(fromBase64(passkey.publicKey), userKey), encryptedUserKey: '4.unused' };
  raw.fill(0);
  return { created, sync, userKey, passkey, passkeyData };
}

test('a rotation re-encrypts every personal item, folder, Send seed, attachment and key set under a new key the master password opens', async () => {
  const { created, sync, userKey, passkey, passkeyData } = await account();
  const grantee = await keyPair();
  const grant = { id: GRANT, granteeId: GRANTEE, email: 'g@example.com', type: 0, waitTimeDays: 7, publicKey: grantee.publicKey, pinned: true };
  const { request, userKeyId: id, items } = await buildRotation({ sync, protectedUserKey: created.protectedUserKey, email: EMAIL, kdf: DEFAULT_KDF }, PASSWORD, [grant], [passkeyData]);
  const r = request as any;
  const unlock = r.accountUnlockData.masterPasswordUnlockData;
  const newBytes = await userKeyBytes(unlock.masterKeyEncryptedUserKey, PASSWORD, EMAIL, DEFAULT_KDF);
  const newKey = await SymmetricKey.fromBytes(newBytes.slice());
  assert.equal(id, await userKeyId(newBytes));
  assert.equal(r.newUserKeyId, id);
  assert.equal(unlock.containedKeyId, id);
  assert.equal(unlock.masterKeyAuthenticationHash, created.masterPasswordHash);
  assert.equal(r.oldMasterKeyAuthenticationHash, created.masterPasswordHash);
  assert.deepEqual([unlock.kdfType, unlock.kdfIterations, unlock.kdfMemory, unlock.kdfParallelism, unlock.email], [0, 600_000, null, null, EMAIL]);
  assert.equal(r.accountKeys.accountPublicKey, created.keys.publicKey);
  await unwrapPrivateKey(r.accountKeys.userKeyEncryptedAccountPrivateKey, newKey);

  // Organization items are not part of it; the legacy item has every EncString re-encrypted, the unmodelled ones too.
  assert.equal(items, 2);
  assert.deepEqual(r.accountData.ciphers.map((c: { id: string }) => c.id), ['legacy', 'keyed']);
  const [legacy, keyed] = r.accountData.ciphers;
  assert.equal(await decryptString(legacy.name, newKey), 'Legacy');
  assert.equal(await decryptString(legacy.login.password, newKey), 'legacy-pass');
  assert.equal(await decryptString(legacy.login.uris[0].uri, newKey), 'https://a.example');
  assert.equal(await decryptString(legacy.login.fido2Credentials[0].keyValue, newKey), 'fido-secret');
  assert.equal(legacy.login.fido2Credentials[0].counter, '0');
  assert.equal(await decryptString(legacy.attachments2.a1.fileName, newKey), 'scan.pdf');
  assert.deepEqual(await decryptBytes(legacy.attachments2.a1.key, newKey), await decryptBytes(sync.ciphers[0]!.attachments![0]!.key!, userKey));
  await assert.rejects(decryptString(legacy.name, userKey));
  // The keyed item keeps its fields; only its key is re-wrapped.
  assert.equal(keyed.name, sync.ciphers[1]!.name);
  assert.deepEqual(await decryptBytes(keyed.key, newKey), await decryptBytes(sync.ciphers[1]!.key!, userKey));
  assert.deepEqual([keyed.folderId, keyed.favorite, keyed.type, keyed.attachments2], ['f1', true, 1, undefined]);

  assert.equal(await decryptString(r.accountData.folders[0].name, newKey), 'Work');
  const send = r.accountData.sends[0];
  assert.deepEqual(await decryptBytes(send.key, newKey), await decryptBytes(sync.sends![0]!.key, userKey));
  assert.deepEqual([send.name, send.text], ['2.name', { text: '2.text', hidden: false }]);

  // The contact and the passkey's key set get the new key; no organization does.
  const ea = r.accountUnlockData.emergencyAccessUnlockData;
  assert.deepEqual([ea.length, ea[0].id, ea[0].type, ea[0].waitTimeDays], [1, GRANT, 0, 7]);
  assert.deepEqual(await unwrapKeyBytes(ea[0].keyEncrypted, grantee.privateKey), newBytes);
  const pk = r.accountUnlockData.passkeyUnlockData[0];
  assert.deepEqual(await unwrapKeyBytes(pk.encryptedUserKey, passkey.privateKey), newBytes);
  assert.deepEqual(await decryptBytes(pk.encryptedPublicKey, newKey), fromBase64(passkey.publicKey));
  assert.deepEqual([r.accountUnlockData.organizationAccountRecoveryUnlockData, r.accountUnlockData.deviceKeyUnlockData], [[], []]);
});

test('a rotation refuses a wrong password, and a legacy attachment whose file is under the user key, before anything is built', async () => {
  const { created, sync } = await account();
  const acct = { sync, protectedUserKey: created.protectedUserKey, email: EMAIL, kdf: DEFAULT_KDF };
  await assert.rejects(buildRotation(acct, 'wrong password', [], []), /Invalid master password/);
  sync.ciphers[0]!.attachments![0]!.key = null;
  await assert.rejects(buildRotation(acct, PASSWORD, [], []), /predates per-attachment keys/);
});

function context(pins: TrustPins, keys: { user: string; org: string }, trusted: string[] = [ORG]): RotationContext {
  return {
    pins,
    syncOrganizations: [{ id: ORG, name: 'Acme', key: '4.x', status: 2, type: 0, enabled: true }],
    trustedOrganization: (id) => trusted.includes(id),
    trustedContacts: [{ id: GRANT, type: 1, waitTimeDays: 3, email: 'g@example.com' }],
    userPublicKey: async () => keys.user,
    organizationPublicKey: async () => keys.org,
  };
}

test('the rotation plan refuses a pinned organization or contact served with another key, and names an untrusted organization', async () => {
  const [honest, attacker, org] = await Promise.all([keyPair(), keyPair(), keyPair()]);
  const pins: TrustPins = {
    organizations: { [ORG]: { origin: OrganizationOrigin.CreatedHere, keyId: 'k', publicKeySha256: await publicKeyDigest(org.publicKey), pinnedDate: 'd', recoveryEnrolled: false } },
    people: { [GRANTEE]: { publicKeySha256: await publicKeyDigest(honest.publicKey), relation: 'grantee', pinnedDate: '2026-12-01T00:00:00Z' } },
  };
  const data = (granteeKey: string, orgKey: string | null): RotationData => ({
    emergencyAccessKeyData: [{ id: GRANT, granteeId: GRANTEE, granteeEmail: 'g@example.com', publicKey: granteeKey }],
    organizationPasswordResetKeyData: orgKey ? [{ organizationId: ORG, organizationName: 'Acme', publicKey: orgKey }] : [],
  });

  const plan = await planRotation(data(honest.publicKey, org.publicKey), context(pins, { user: honest.publicKey, org: org.publicKey }));
  assert.deepEqual(plan.grantees.map((g) => [g.id, g.type, g.waitTimeDays, g.pinned]), [[GRANT, 1, 3, true]]);
  assert.match(plan.organizations[0]!, /“Acme” gets no copy of the new key/);

  await assert.rejects(planRotation(data(honest.publicKey, attacker.publicKey), context(pins, { user: honest.publicKey, org: attacker.publicKey })), { code: 'org-overwrite' });
  // The organization's public key route is checked too, and an organization the data does not list is not named.
  await assert.rejects(planRotation(data(honest.publicKey, org.publicKey), context(pins, { user: honest.publicKey, org: attacker.publicKey })), { code: 'org-overwrite' });
  assert.deepEqual((await planRotation(data(honest.publicKey, null), context(pins, { user: honest.publicKey, org: attacker.publicKey }))).organizations, []);
  await assert.rejects(planRotation(data(attacker.publicKey, null), context(pins, { user: attacker.publicKey, org: org.publicKey })), { code: 'ea-pk-swap' });
  await assert.rejects(planRotation(data(attacker.publicKey, null), context(pins, { user: honest.publicKey, org: org.publicKey })), { code: 'ea-pk-swap' });

  // An organization this browser does not use is named and left out, without asking for its key.
  const untrusted = await planRotation(data(honest.publicKey, attacker.publicKey), { ...context(pins, { user: honest.publicKey, org: '' }, []), organizationPublicKey: () => assert.fail('fetched') });
  assert.deepEqual(untrusted.organizations, ['“Acme” is not trusted in this browser: it gets no copy of the new key.']);

  // A contact never confirmed here is planned unpinned (the screen asks for the phrase); trusted devices stop it all.
  const fresh = await planRotation(data(honest.publicKey, null), context({ organizations: pins.organizations, people: {} }, { user: honest.publicKey, org: org.publicKey }));
  assert.equal(fresh.grantees[0]!.pinned, false);
  await assert.rejects(planRotation({ trustedDeviceKeyData: [{}] }, context(pins, { user: '', org: '' })), /trusted devices/);
  await assert.rejects(planRotation({ emergencyAccessKeyData: [{ id: 'other', granteeId: GRANTEE, publicKey: honest.publicKey }] }, context(pins, { user: honest.publicKey, org: '' })), /not among your trusted contacts/);
});
