import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptBytes, decryptString, encryptBytes, encryptString, fromBase64, fromHex, randomBytes, SymmetricKey, toHex, unwrapSymmetricKey } from '../src/crypto';
import { decryptItem, decryptListEntry, decryptSubtitle, encryptForShare, encryptItem, rekey } from '../src/items';
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

/** What an old client wrote: every field directly under the owner key, no item key (built from a keyed item). */
async function legacy(response: CipherResponse, ownerKey: SymmetricKey): Promise<CipherResponse> {
  const own = await unwrapSymmetricKey(response.key!, ownerKey);
  const { key: _key, ...rest } = response;
  return { ...(await rekey(rest, own, ownerKey)), key: null };
}

test('a login round-trips through the wire shape with every field under its own item key', async () => {
  const key = await userKey();
  const item = emptyItem(CipherType.Login);
  item.name = 'Example';
  item.notes = 'note';
  item.login = { username: 'alice', password: 'pw', totp: 'JBSWY3DPEHPK3PXP', uris: [{ uri: 'https://example.com', match: null }] };
  item.fields = [{ type: 1, name: 'pin', value: '1234', linkedId: null }];
  const request = await encryptItem(item, key, ctx);
  assert.equal(request.encryptedFor, ctx.userId);
  assert.equal(request.encryptedByKeyId, ctx.userKeyId);
  // A fresh 64-byte item key under the user key (malicious-server doc BW10), whatever the server says.
  assert.equal((await decryptBytes(request.key!, key)).length, 64);
  const own = await unwrapSymmetricKey(request.key!, key);
  for (const value of [request.name, request.notes, request.login!.username, request.login!.password, request.login!.totp, request.login!.uris![0]!.uri, request.fields![0]!.value]) {
    assert.match(value!, /^2\./);
    await assert.rejects(decryptString(value!, key), /Decryption failed/);
  }
  // Bitwarden's checksum of a URI: Base64 SHA-256, encrypted.
  assert.equal(await decryptString(request.login!.uris![0]!.uriChecksum!, own), 'EAaArVRs5qV39C9S3zO0z9ynVoWeZkuNfeMpsVDQnOk=');
  const back = await decryptItem(asResponse(request, 'id-1'), key);
  assert.equal(back.name, 'Example');
  assert.deepEqual(back.login, item.login);
  assert.deepEqual(back.fields, item.fields);
  assert.equal(back.uriChecksumFailed, undefined);
  const entry = await decryptListEntry(asResponse(request, 'id-1'), key);
  assert.equal(entry.name, 'Example');
  assert.equal(entry.hasTotp, true);
  assert.equal(await decryptSubtitle(asResponse(request, 'id-1'), key), 'alice');
  const again = await encryptItem(item, key, ctx);
  assert.notEqual(toHex(await decryptBytes(again.key!, key)), toHex(await decryptBytes(request.key!, key)), 'every item has a key of its own');
});

test('a URI whose checksum does not verify is not shown, and the item says so', async () => {
  const key = await userKey();
  const item = emptyItem(CipherType.Login);
  item.name = 'Bank';
  item.login = { username: 'ann', password: 'bank.example.com', totp: '', uris: [{ uri: 'https://bank.example', match: null }] };
  const response = asResponse(await encryptItem(item, key, ctx), 'u-1');
  // The server moves the password ciphertext into the URI (malicious-server doc BW06); the checksum stays.
  response.login!.uris![0]!.uri = response.login!.password;
  const view = await decryptItem(response, key);
  assert.equal(view.uriChecksumFailed, true);
  assert.deepEqual(view.login.uris, [{ uri: '', match: null }]);
});

test('an edit keeps the item key and unknown type fields, records the old password and sends the revision date', async () => {
  const key = await userKey();
  const item = emptyItem(CipherType.Login);
  item.name = 'Site';
  item.login.password = 'old';
  const stored = asResponse(await encryptItem(item, key, ctx), 'id-2');
  stored.login!.fido2Credentials = [{ credentialId: 'x' }];
  const previous = await decryptItem(stored, key);
  const edited = { ...previous, login: { ...previous.login, password: 'new' } };
  const request = await encryptItem(edited, key, ctx, stored, previous);
  assert.equal(request.key, stored.key);
  assert.equal(request.encryptedByKeyId, undefined);
  assert.deepEqual(request.login!.fido2Credentials, [{ credentialId: 'x' }]);
  assert.equal(request.lastKnownRevisionDate, stored.revisionDate);
  assert.equal(request.passwordHistory!.length, 1);
  assert.equal(await decryptString(request.passwordHistory![0]!.password, await unwrapSymmetricKey(stored.key!, key)), 'old');
  assert.equal(request.login!.passwordRevisionDate, ctx.now());
});

test('a legacy item gets its own key at its first edit, with what it carries and its attachments re-encrypted under it', async () => {
  const key = await userKey();
  const item = emptyItem(CipherType.Login);
  item.name = 'Old site';
  item.login = { username: 'u', password: 'p', totp: '', uris: [] };
  const stored = await legacy(asResponse(await encryptItem(item, key, ctx), 'l-1'), key);
  stored.login!.fido2Credentials = [{ credentialId: await encryptString('cred-1', key), counter: await encryptString('7', key), creationDate: '2026-01-01T00:00:00Z' }];
  const fileKey = randomBytes(64);
  stored.attachments = [{ id: 'a-1', fileName: await encryptString('scan.pdf', key), key: await encryptBytes(fileKey, key), size: '10', sizeName: '10 Bytes', url: null } as never];
  assert.equal(stored.key, null);
  const view = await decryptItem(stored, key);
  assert.equal(view.name, 'Old site');
  const request = await encryptItem({ ...view, name: 'Old site 2' }, key, ctx, stored, view);
  const own = await unwrapSymmetricKey(request.key!, key);
  assert.equal(request.encryptedByKeyId, ctx.userKeyId);
  assert.equal(await decryptString(request.name, own), 'Old site 2');
  const fido = (request.login!.fido2Credentials as Record<string, string>[])[0]!;
  assert.equal(await decryptString(fido.credentialId!, own), 'cred-1');
  assert.equal(await decryptString(fido.counter!, own), '7');
  assert.equal(fido.creationDate, '2026-01-01T00:00:00Z');
  assert.equal(await decryptString(request.attachments2!['a-1']!.fileName, own), 'scan.pdf');
  assert.equal(toHex(await decryptBytes(request.attachments2!['a-1']!.key!, own)), toHex(fileKey));
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
  stored.fields = [{ type: 3, name: await encryptString('Username', await unwrapSymmetricKey(stored.key!, key)), value: null, linkedId: 100 }];
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
    ...(await legacy(asResponse(await encryptItem(item, key, ctx), 'o-1'), key)),
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
  await assert.rejects(decryptItem(response, await userKey()), /Decryption failed/);
  // An edit stays in its organization, and gets an item key of its own under the organization key.
  const edited = await encryptItem({ ...view, name: 'Database 2' }, key, ctx, response, view);
  assert.equal(edited.organizationId, ORG);
  assert.equal(await decryptString(edited.name, await unwrapSymmetricKey(edited.key!, key)), 'Database 2');
});

test('a personal item without its own key moves into an organization with a new item key under the org key', async () => {
  const user = await userKey();
  const key = await orgKey();
  const item = emptyItem(CipherType.Login);
  item.name = 'Shared site';
  item.login = { username: 'ops', password: 'pa55', totp: '', uris: [{ uri: 'https://ops.example', match: null }] };
  const stored = await legacy(asResponse(await encryptItem(item, user, ctx), 'p-1'), user);
  stored.login!.fido2Credentials = [{ credentialId: await encryptString('passkey-1', user) }];
  const request = await encryptForShare(await decryptItem(stored, user), stored, user, key, ORG, ctx);
  assert.equal(request.organizationId, ORG);
  const own = await unwrapSymmetricKey(request.key!, key);
  assert.equal(await decryptString((request.login!.fido2Credentials as Record<string, string>[])[0]!.credentialId!, own), 'passkey-1', 'passkeys follow, re-encrypted');
  assert.equal(await decryptString(request.login!.password!, own), 'pa55');
  assert.equal(await decryptString(request.name, own), 'Shared site');
  await assert.rejects(decryptString(request.name, user), /Decryption failed/);
  await assert.rejects(decryptString(request.name, key), /Decryption failed/);
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
