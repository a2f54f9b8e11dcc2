import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptBytes, decryptString, encryptBytes, encryptString, fromBase64, fromHex, randomBytes, SymmetricKey, toHex } from '../src/crypto';
import { decryptItem, decryptListEntry, decryptSubtitle, encryptForShare, encryptItem } from '../src/items';
import { CipherType, emptyItem, type CipherResponse } from '../src/models';
import { vectors } from './vectors';

const ctx = { userId: '0195f0e4-0000-7000-8000-000000000001', userKeyId: vectors.protectedUserKey.userKeyId, now: () => '2026-11-21T20:00:00.000Z' };
const userKey = () => SymmetricKey.fromBytes(fromHex(vectors.protectedUserKey.userKeyHex));

function asResponse(request: Awaited<ReturnType<typeof encryptItem>>, id: string): CipherResponse {
  return {
    id, type: request.type, folderId: request.folderId, favorite: request.favorite, reprompt: request.reprompt, name: request.name, notes: request.notes,
    key: request.key ?? null, login: request.login ?? null, secureNote: request.secureNote ?? null, card: request.card ?? null, identity: request.identity ?? null,
    fields: request.fields ?? null, passwordHistory: request.passwordHistory ?? null, creationDate: ctx.now(), revisionDate: ctx.now(), deletedDate: null,
  };
}

test('a login round-trips through the wire shape with every field encrypted', async () => {
  const key = await userKey();
  const item = emptyItem(CipherType.Login);
  item.name = 'Example';
  item.notes = 'note';
  item.login = { username: 'alice', password: 'pw', totp: 'JBSWY3DPEHPK3PXP', uris: [{ uri: 'https://example.com', match: null }] };
  item.fields = [{ type: 1, name: 'pin', value: '1234', linkedId: null }];
  const request = await encryptItem(item, key, ctx);
  assert.equal(request.encryptedFor, ctx.userId);
  assert.equal(request.encryptedByKeyId, ctx.userKeyId);
  for (const value of [request.name, request.notes, request.login!.username, request.login!.password, request.login!.totp, request.login!.uris![0]!.uri, request.fields![0]!.value]) {
    assert.match(value!, /^2\./);
  }
  // Bitwarden's checksum of a URI: Base64 SHA-256, encrypted.
  assert.equal(await decryptString(request.login!.uris![0]!.uriChecksum!, key), 'EAaArVRs5qV39C9S3zO0z9ynVoWeZkuNfeMpsVDQnOk=');
  const back = await decryptItem(asResponse(request, 'id-1'), key);
  assert.equal(back.name, 'Example');
  assert.deepEqual(back.login, item.login);
  assert.deepEqual(back.fields, item.fields);
  const entry = await decryptListEntry(asResponse(request, 'id-1'), key);
  assert.equal(entry.name, 'Example');
  assert.equal(entry.hasTotp, true);
  assert.equal(await decryptSubtitle(asResponse(request, 'id-1'), key), 'alice');
});

test('an edit keeps unknown type fields, records the old password and sends the revision date', async () => {
  const key = await userKey();
  const item = emptyItem(CipherType.Login);
  item.name = 'Site';
  item.login.password = 'old';
  const stored = asResponse(await encryptItem(item, key, ctx), 'id-2');
  stored.login!.fido2Credentials = [{ credentialId: 'x' }];
  const previous = await decryptItem(stored, key);
  const edited = { ...previous, login: { ...previous.login, password: 'new' } };
  const request = await encryptItem(edited, key, ctx, stored, previous);
  assert.deepEqual(request.login!.fido2Credentials, [{ credentialId: 'x' }]);
  assert.equal(request.lastKnownRevisionDate, stored.revisionDate);
  assert.equal(request.passwordHistory!.length, 1);
  assert.equal(await decryptString(request.passwordHistory![0]!.password, key), 'old');
  assert.equal(request.login!.passwordRevisionDate, ctx.now());
});

test('card and identity items round-trip and show a subtitle', async () => {
  const key = await userKey();
  const card = emptyItem(CipherType.Card);
  card.name = 'Visa';
  card.card = { cardholderName: 'A B', brand: 'Visa', number: '4111111111111111', expMonth: '12', expYear: '2030', code: '123' };
  const cardResponse = asResponse(await encryptItem(card, key, ctx), 'c');
  assert.deepEqual((await decryptItem(cardResponse, key)).card, card.card);
  assert.equal(await decryptSubtitle(cardResponse, key), 'Visa, *1111');
  const identity = emptyItem(CipherType.Identity);
  identity.name = 'Me';
  identity.identity.firstName = 'Ada';
  identity.identity.lastName = 'Lovelace';
  const idResponse = asResponse(await encryptItem(identity, key, ctx), 'i');
  assert.equal((await decryptItem(idResponse, key)).identity.lastName, 'Lovelace');
  assert.equal(await decryptSubtitle(idResponse, key), 'Ada Lovelace');
  const note = emptyItem(CipherType.SecureNote);
  note.name = 'n';
  assert.deepEqual((await encryptItem(note, key, ctx)).secureNote, { type: 0 });
});

test('an edit of an item type the vault does not show keeps its type object and linked fields', async () => {
  const key = await userKey();
  const base = emptyItem(CipherType.SecureNote);
  base.name = 'SSH';
  const stored = asResponse(await encryptItem(base, key, ctx), 's');
  stored.type = 5;
  stored.secureNote = null;
  stored.sshKey = { privateKey: '2.a|b|c', publicKey: '2.d|e|f', keyFingerprint: '2.g|h|i' };
  stored.fields = [{ type: 3, name: await encryptString('Username', key), value: null, linkedId: 100 }];
  const view = await decryptItem(stored, key);
  const request = await encryptItem({ ...view, name: 'SSH renamed' }, key, ctx, stored, view);
  assert.deepEqual((request as unknown as Record<string, unknown>).sshKey, stored.sshKey);
  assert.equal(request.fields![0]!.linkedId, 100);
  assert.equal(request.fields![0]!.type, 3);
});

// ---------- organization items (bitwarden-organizations.md §2.5, §2.6, §7.3) ----------

const orgKey = () => SymmetricKey.fromBytes(fromBase64(vectors.organizationKey.orgKeyB64));
const ORG = '0195f0e4-0000-7000-8000-0000000000aa';

test('an organization item from sync opens with the org key and carries the caller access', async () => {
  const key = await orgKey();
  const item = emptyItem(CipherType.Login);
  item.name = 'Database';
  item.login.password = vectors.organizationKey.itemPassword;
  const response: CipherResponse = {
    ...asResponse(await encryptItem(item, key, ctx), 'o-1'),
    organizationId: ORG, collectionIds: ['c-1'], edit: false, viewPassword: false, permissions: { delete: false, restore: false },
  };
  response.login!.password = vectors.organizationKey.itemPasswordEncString;
  const view = await decryptItem(response, key);
  assert.equal(view.login.password, 'S3cret-db');
  assert.equal(view.organizationId, ORG);
  assert.deepEqual(view.collectionIds, ['c-1']);
  assert.equal(view.edit, false);
  assert.equal(view.viewPassword, false);
  const entry = await decryptListEntry(response, key);
  assert.equal(entry.organizationId, ORG);
  assert.deepEqual(entry.collectionIds, ['c-1']);
  await assert.rejects(decryptItem(response, await userKey()), /MAC/);
  // An edit stays in its organization, under its key.
  const edited = await encryptItem({ ...view, name: 'Database 2' }, key, ctx, response, view);
  assert.equal(edited.organizationId, ORG);
  assert.equal(await decryptString(edited.name, key), 'Database 2');
});

test('a personal item without its own key moves into an organization re-encrypted under the org key', async () => {
  const user = await userKey();
  const key = await orgKey();
  const item = emptyItem(CipherType.Login);
  item.name = 'Shared site';
  item.login = { username: 'ops', password: 'pa55', totp: '', uris: [{ uri: 'https://ops.example', match: null }] };
  const stored = asResponse(await encryptItem(item, user, ctx), 'p-1');
  stored.login!.fido2Credentials = [{ credentialId: '2.under|user|key' }];
  const request = await encryptForShare(await decryptItem(stored, user), stored, user, key, ORG, ctx);
  assert.equal(request.organizationId, ORG);
  assert.equal(request.key, null);
  assert.equal(request.login!.fido2Credentials, null, 'passkeys under the user key cannot follow');
  assert.equal(await decryptString(request.login!.password!, key), 'pa55');
  assert.equal(await decryptString(request.name, key), 'Shared site');
  await assert.rejects(decryptString(request.name, user), /MAC/);
  await assert.rejects(encryptForShare(item, { ...stored, organizationId: ORG }, user, key, ORG, ctx), /already belongs/);
});

test('a personal item with its own key keeps that key, re-wrapped under the org key', async () => {
  const user = await userKey();
  const key = await orgKey();
  const own = randomBytes(64);
  const item = emptyItem(CipherType.SecureNote);
  item.name = 'Runbook';
  const base = asResponse(await encryptItem(item, user, ctx), 'p-2');
  const stored = { ...base, key: await encryptBytes(own, user) };
  const ownKey = await SymmetricKey.fromBytes(own);
  stored.name = await encryptString('Runbook', ownKey);
  const request = await encryptForShare(await decryptItem(stored, user), stored, user, key, ORG, ctx);
  assert.equal(toHex(await decryptBytes(request.key!, key)), toHex(own));
  assert.equal(await decryptString(request.name, ownKey), 'Runbook');
});
