// Attachments and Send: the known answers of bitwarden-sharing-features.md §6 (accepted by the official CLI), the
// file layout's checks, Send drafts and links, and the recipient side's error mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decryptFile, encryptBytes, encryptFile, encryptString, fromBase64, fromBase64Url, fromHex, makeSendKey, sendKeyBytes, sendPasswordHash, SymmetricKey,
  toBase64Url, toHex, utf8,
} from '../src/crypto';
import { decryptAttachment, decryptAttachments, encryptAttachment, rewrapAttachments } from '../src/attachments';
import { decryptSend, encryptSend, openReceived, safeFileName, seedFromUrlKey, sendUrl, unavailableReason, type SendDraft } from '../src/sends';
import { accessSend, SendPasswordInvalid, SendPasswordRequired, sendAccessToken, SendUnavailable } from '../src/filesapi';
import type { AttachmentResponse, SendResponse } from '../src/models';

const range = (from: number, length: number) => Uint8Array.from({ length }, (_, i) => from + i);
const userKeyBytes = range(0x00, 64);
const userKey = () => SymmetricKey.fromBytes(userKeyBytes);

// ---------- §6.1 attachment file, key and name ----------

const plain = utf8('hello attachment\n');
const attachmentKeyBytes = range(0x80, 64);
const fileIv = range(0x60, 16);
const expectedFile =
  '02' + '606162636465666768696a6b6c6d6e6f' + '6a5a0382a3edf60c0f3cdee253e21801545dc2d136afb6b0dee82ccbe928ee54' +
  '104e28871361c89f9cfd948aaad8e477cb584086462a4380941492d88614d2da';

test('§6.1: the attachment file encrypts to the 81-byte EncArrayBuffer (type, IV, MAC, ciphertext) and back', async () => {
  const key = await SymmetricKey.fromBytes(attachmentKeyBytes);
  const file = await encryptFile(plain, key, fileIv);
  assert.equal(file.length, 81);
  assert.equal(toHex(file), expectedFile);
  assert.deepEqual(await decryptFile(fromHex(expectedFile), key), plain);
});

test('§6.1: the attachment key and the file name wrapped under the user key give the vectors', async () => {
  const key = await userKey();
  assert.equal(await encryptBytes(attachmentKeyBytes, key, range(0x70, 16)),
    '2.cHFyc3R1dnd4eXp7fH1+fw==|kEzkXPIu0NG+ZD9fyGUEzaSryNC88YzwqIvHO4hRMGmrXsSfteky6zv1MApcCH50rikub/cnCOM5hOz/OZRKFA8a7jMjAmSJin7h8kwRY8c=|0SkhQNYdZutHey54AmEiC1pQ5v4pXZdxACBSMqW1HWU=');
  assert.equal(await encryptString('hello.txt', key, range(0x90, 16)),
    '2.kJGSk5SVlpeYmZqbnJ2enw==|W/hpMjknirdgzPyn6HbTvw==|8CmuDfYqSa0NXjTBbn7V1AcwdXm/IUu7O66wTp7RTSw=');
});

test('§6.1: an attachment assembled from the vectors opens with its wrapped key, name included', async () => {
  const attachment: AttachmentResponse = {
    id: 'c9b64ad0c019391dc00c', url: null, size: '81', sizeName: '81 Bytes',
    key: '2.cHFyc3R1dnd4eXp7fH1+fw==|kEzkXPIu0NG+ZD9fyGUEzaSryNC88YzwqIvHO4hRMGmrXsSfteky6zv1MApcCH50rikub/cnCOM5hOz/OZRKFA8a7jMjAmSJin7h8kwRY8c=|0SkhQNYdZutHey54AmEiC1pQ5v4pXZdxACBSMqW1HWU=',
    fileName: '2.kJGSk5SVlpeYmZqbnJ2enw==|W/hpMjknirdgzPyn6HbTvw==|8CmuDfYqSa0NXjTBbn7V1AcwdXm/IUu7O66wTp7RTSw=',
  };
  const key = await userKey();
  assert.deepEqual(await decryptAttachment(attachment, fromHex(expectedFile), key), plain);
  assert.deepEqual(await decryptAttachments([attachment], key), [{ id: attachment.id, fileName: 'hello.txt', size: 81, sizeName: '81 Bytes' }]);
});

test('a tampered, truncated, mistyped or wrongly keyed file is refused before decryption', async () => {
  const key = await SymmetricKey.fromBytes(attachmentKeyBytes);
  const good = fromHex(expectedFile);
  const flipped = good.slice();
  flipped[80]! ^= 1;
  await assert.rejects(decryptFile(flipped, key), /MAC/);
  const badMac = good.slice();
  badMac[20]! ^= 1;
  await assert.rejects(decryptFile(badMac, key), /MAC/);
  await assert.rejects(decryptFile(good.slice(0, 64), key), /EncArrayBuffer/);
  await assert.rejects(decryptFile(good.slice(0, 80), key), /EncArrayBuffer/);
  const typeZero = good.slice();
  typeZero[0] = 0;
  await assert.rejects(decryptFile(typeZero, key), /EncArrayBuffer/);
  await assert.rejects(decryptFile(good, await userKey()), /MAC/);
});

test('file sizes follow 49 + 16·(floor(len/16) + 1), an empty file included', async () => {
  const key = await SymmetricKey.fromBytes(attachmentKeyBytes);
  for (const len of [0, 1, 15, 16, 17, 1000]) {
    const data = range(0, len).map((b) => b & 0xff);
    const file = await encryptFile(data, key);
    assert.equal(file.length, 49 + 16 * (Math.floor(len / 16) + 1));
    assert.deepEqual(await decryptFile(file, key), data);
  }
});

test('a new attachment: fresh key per file, name and key under the item key, the file under its own key', async () => {
  const itemKey = await userKey();
  const a = await encryptAttachment(plain, 'notes.pdf', itemKey);
  const b = await encryptAttachment(plain, 'notes.pdf', itemKey);
  assert.notEqual(a.key, b.key);
  const response: AttachmentResponse = { id: 'x', url: null, fileName: a.fileName, key: a.key, size: String(a.data.length), sizeName: '' };
  assert.deepEqual(await decryptAttachment(response, a.data, itemKey), plain);
  assert.equal((await decryptAttachments([response], itemKey))[0]!.fileName, 'notes.pdf');
  // Old attachments without a key of their own are under the item key itself.
  const legacy = await encryptFile(plain, itemKey);
  assert.deepEqual(await decryptAttachment({ ...response, key: null }, legacy, itemKey), plain);
});

test('moving an item into an organization re-wraps each attachment name and key under the organization key', async () => {
  const from = await userKey();
  const orgKey = await SymmetricKey.fromBytes(range(0x40, 64));
  const a = await encryptAttachment(plain, 'scan.png', from);
  const wrapped = await rewrapAttachments([{ id: 'a1', url: null, fileName: a.fileName, key: a.key, size: '81', sizeName: '' }], from, orgKey);
  const moved: AttachmentResponse = { id: 'a1', url: null, size: '81', sizeName: '', ...wrapped.a1! };
  assert.deepEqual(await decryptAttachment(moved, a.data, orgKey), plain);
  assert.equal((await decryptAttachments([moved], orgKey))[0]!.fileName, 'scan.png');
  await assert.rejects(rewrapAttachments([{ ...moved, key: null }], from, orgKey), /older client/);
});

// ---------- §6.2 Send key, URL key, fields and password hash ----------

const seed = range(0x00, 16);

test('§6.2: the URL key is url-safe Base64 of the seed and decodes back; other spellings are refused', () => {
  assert.equal(toBase64Url(seed), 'AAECAwQFBgcICQoLDA0ODw');
  assert.deepEqual(seedFromUrlKey('AAECAwQFBgcICQoLDA0ODw'), seed);
  assert.deepEqual(fromBase64Url('D-qn8R9yHkakoulO7dLbYA'), fromBase64('D+qn8R9yHkakoulO7dLbYA=='));
  assert.throws(() => fromBase64Url('AAECAwQFBgcICQoLDA0ODw=='));
  assert.throws(() => fromBase64Url('D+qn8R9yHkakoulO7dLbYA'));
  assert.throws(() => seedFromUrlKey('AAECAwQFBgcICQoLDA0O'), /16 bytes/);
});

test('§6.2: the Send key is full HKDF-SHA256 of the seed (salt bitwarden-send, info send)', async () => {
  assert.equal(toHex(await sendKeyBytes(seed)),
    '063a955a1c01b4e1aacb7cd359c919b2cb61041c0c05c94c0eb76fb9a9e144b3fbeca074de1437a1a2330ad2833138abf3be2561a3a30ae1f33e15e1a2f7ca04');
});

test('§6.2: the key, name and text fields give the vectors', async () => {
  const sendKey = await makeSendKey(seed);
  assert.equal(await encryptBytes(seed, await userKey(), range(0x30, 16)),
    '2.MDEyMzQ1Njc4OTo7PD0+Pw==|XpbXEJTTUmgrLWno6HeXJP3hwIpwMCPJuUv2raHyZeE=|GS3LP6UvIUfFAK5UK3Mt024pEvo9ssoBTFiDxUGvmJ0=');
  assert.equal(await encryptString('Test Send', sendKey, range(0x40, 16)),
    '2.QEFCQ0RFRkdISUpLTE1OTw==|Wk0zOi3tKkNU75b6ybcZoQ==|IwNyIAh2HvG/0elAkUSuj/Hmf2hls6pz5zslgS5tHgA=');
  assert.equal(await encryptString('Hello from Send', sendKey, range(0x50, 16)),
    '2.UFFSU1RVVldYWVpbXF1eXw==|dAdKiyob0jZt6DzDL0/PeQ==|IANso8dz5KQu+sBT5m3SmrJFNFkVdnJFB21s9ZziHO0=');
});

test('§6.2: the Send password hash is PBKDF2-SHA256 with the seed, 100,000 iterations (both pairs)', async () => {
  assert.equal(await sendPasswordHash('correct horse', seed), 'V/LC8HOXSNUWQZsGKohGZjI8WD6krhZVBKgfe1PGKgk=');
  assert.equal(await sendPasswordHash('s3cret', seedFromUrlKey('OQ4ltrRWF5fHchUMegueAA')), 'ZPkv7//jHMapnUdyFjauSahd0g6t5rOP55OZNfvdRIU=');
});

test('§6.2: the recipient link of the vector Send', () => {
  assert.equal(sendUrl('https://vault.example.com', 'EREREQAAQACAAAAAAAAAAQ', seed), 'https://vault.example.com/#/send/EREREQAAQACAAAAAAAAAAQ/AAECAwQFBgcICQoLDA0ODw');
});

test('§6.2: a Send assembled from the vectors decrypts for its owner and its link carries the seed', async () => {
  const send: SendResponse = {
    id: '11111111-0000-4000-8000-000000000001', accessId: 'EREREQAAQACAAAAAAAAAAQ', type: 0,
    name: '2.QEFCQ0RFRkdISUpLTE1OTw==|Wk0zOi3tKkNU75b6ybcZoQ==|IwNyIAh2HvG/0elAkUSuj/Hmf2hls6pz5zslgS5tHgA=', notes: null,
    text: { text: '2.UFFSU1RVVldYWVpbXF1eXw==|dAdKiyob0jZt6DzDL0/PeQ==|IANso8dz5KQu+sBT5m3SmrJFNFkVdnJFB21s9ZziHO0=', hidden: false }, file: null,
    key: '2.MDEyMzQ1Njc4OTo7PD0+Pw==|XpbXEJTTUmgrLWno6HeXJP3hwIpwMCPJuUv2raHyZeE=|GS3LP6UvIUfFAK5UK3Mt024pEvo9ssoBTFiDxUGvmJ0=',
    maxAccessCount: 3, accessCount: 1, password: 'set', authType: 1, disabled: false, hideEmail: false,
    revisionDate: '2026-12-04T20:38:30.923Z', expirationDate: null, deletionDate: '2026-12-11T20:38:30.821Z',
  };
  const view = await decryptSend(send, await userKey(), 'https://vault.example.com');
  assert.equal(view.name, 'Test Send');
  assert.equal(view.text, 'Hello from Send');
  assert.equal(view.hasPassword, true);
  assert.equal(view.url, 'https://vault.example.com/#/send/EREREQAAQACAAAAAAAAAAQ/AAECAwQFBgcICQoLDA0ODw');
  const received = await openReceived({ id: send.accessId, type: 0, name: send.name, text: send.text, file: null, expirationDate: null, creatorIdentifier: null }, await makeSendKey(seed));
  assert.equal(received.name, 'Test Send');
  assert.equal(received.text, 'Hello from Send');
  assert.equal(received.creator, null);
});

// ---------- drafts, edits, availability ----------

const draft: SendDraft = {
  type: 0, name: 'Wi-Fi', notes: '', text: 'guest / hunter2', hidden: true, maxAccessCount: 2, expirationDate: null,
  deletionDate: '2026-12-12T00:00:00.000Z', disabled: false, hideEmail: true,
};

function asResponse(request: Awaited<ReturnType<typeof encryptSend>>['request'], extra: Partial<SendResponse> = {}): SendResponse {
  return {
    id: 'f1a7ea0f-721f-461e-a4a2-e94eedd2db60', accessId: '8afqD3IfRh6koulO7dLbYA', type: request.type, name: request.name, notes: request.notes,
    text: request.text ?? null, file: null, key: request.key, maxAccessCount: request.maxAccessCount, accessCount: 0,
    password: request.password ? 'set' : null, authType: request.authType, disabled: request.disabled, hideEmail: request.hideEmail,
    revisionDate: '2026-12-05T00:00:00.000Z', expirationDate: request.expirationDate, deletionDate: request.deletionDate, ...extra,
  };
}

test('a new text Send: the password goes as its hash with authType 1; without one, no password field and authType 2', async () => {
  const key = await userKey();
  const { request } = await encryptSend(draft, key, { password: 'pw' });
  assert.equal(request.authType, 1);
  const view = await decryptSend(asResponse(request), key, 'https://v.test');
  assert.equal(request.password, await sendPasswordHash('pw', seedFromUrlKey(view.url.split('/').pop()!)));
  assert.equal(view.text, 'guest / hunter2');
  assert.equal(view.hidden, true);
  assert.equal(request.notes, null);
  const open = (await encryptSend(draft, key)).request;
  assert.equal(open.authType, 2);
  assert.equal('password' in open, false);
});

test('an edit keeps the seed, so the link stays; it keeps the password unless a new one is typed', async () => {
  const key = await userKey();
  const created = asResponse((await encryptSend(draft, key, { password: 'pw' })).request);
  const before = await decryptSend(created, key, 'https://v.test');
  const edit = (await encryptSend({ ...draft, name: 'Wi-Fi 2' }, key, { existing: created })).request;
  assert.notEqual(edit.key, created.key);
  assert.equal('password' in edit, false);
  assert.equal(edit.authType, 1);
  const after = await decryptSend(asResponse(edit, { password: 'set' }), key, 'https://v.test');
  assert.equal(after.url, before.url);
  assert.equal(after.name, 'Wi-Fi 2');
});

test('a new file Send carries the encrypted file name and no text; its edit sends the stored name back', async () => {
  const key = await userKey();
  const { request, sendKey } = await encryptSend({ ...draft, type: 1 }, key, { fileName: 'plan.pdf' });
  assert.equal(request.text, undefined);
  const file = await encryptFile(plain, sendKey);
  assert.deepEqual(await decryptFile(file, sendKey), plain);
  const stored = asResponse(request, { file: { id: 'f'.repeat(32), fileName: request.file!.fileName, size: '81', sizeName: '81 Bytes' } });
  assert.equal((await decryptSend(stored, key, 'https://v.test')).fileName, 'plan.pdf');
  const edit = (await encryptSend({ ...draft, type: 1 }, key, { existing: stored })).request;
  assert.deepEqual(edit.file, { fileName: request.file!.fileName });
  assert.equal(edit.fileLength, undefined);
});

test('availability follows the server rule: disabled, expired, past deletion, used up', () => {
  const now = Date.parse('2026-12-05T12:00:00Z');
  const base = { disabled: false, expirationDate: null, deletionDate: '2026-12-10T00:00:00Z', maxAccessCount: null, accessCount: 5 };
  assert.equal(unavailableReason(base, now), null);
  assert.equal(unavailableReason({ ...base, disabled: true }, now), 'disabled');
  assert.equal(unavailableReason({ ...base, expirationDate: '2026-12-05T11:00:00Z' }, now), 'expired');
  assert.equal(unavailableReason({ ...base, deletionDate: '2026-12-05T11:00:00Z' }, now), 'pending deletion');
  assert.equal(unavailableReason({ ...base, maxAccessCount: 5 }, now), 'maximum access count reached');
});

test('downloaded file names cannot name a folder', () => {
  assert.equal(safeFileName('../../etc/passwd'), 'passwd');
  assert.equal(safeFileName('C:\\Users\\x\\evil.exe'), 'evil.exe');
  assert.equal(safeFileName('..'), 'download');
  assert.equal(safeFileName('a\u0000b.txt'), 'ab.txt');
  assert.equal(safeFileName('report.pdf'), 'report.pdf');
});

// ---------- the recipient's side ----------

type Handler = (url: string, init: RequestInit) => Response;
function fakeFetch(handler: Handler): { url: string; init: RequestInit }[] {
  const calls: { url: string; init: RequestInit }[] = [];
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return handler(url, init);
  }) as typeof fetch;
  return calls;
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

test('the send_access grant sends the fields the CLI sends, with the password hash only when given', async () => {
  const calls = fakeFetch(() => json(200, { access_token: 't', expires_in: 120, token_type: 'Bearer', scope: 'api.send.access' }));
  assert.equal(await sendAccessToken('8afqD3IfRh6koulO7dLbYA', null), 't');
  assert.equal(await sendAccessToken('8afqD3IfRh6koulO7dLbYA', 'V/LC8HOXSNUWQZsGKohGZjI8WD6krhZVBKgfe1PGKgk='), 't');
  assert.equal(calls[0]!.url, '/identity/connect/token');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(calls[0]!.init.body as URLSearchParams)), {
    client_id: 'send', grant_type: 'send_access', scope: 'api.send.access', send_id: '8afqD3IfRh6koulO7dLbYA',
  });
  assert.equal(new URLSearchParams(calls[1]!.init.body as URLSearchParams).get('password_hash_b64'), 'V/LC8HOXSNUWQZsGKohGZjI8WD6krhZVBKgfe1PGKgk=');
});

test('the grant errors become: password needed, wrong password, not available', async () => {
  const answer = (type: string, error: string) => fakeFetch(() => json(400, { error, send_access_error_type: type }));
  answer('password_hash_b64_required', 'invalid_request');
  await assert.rejects(sendAccessToken('x', null), SendPasswordRequired);
  answer('password_hash_b64_invalid', 'invalid_grant');
  await assert.rejects(sendAccessToken('x', 'h'), SendPasswordInvalid);
  answer('send_id_invalid', 'invalid_grant');
  await assert.rejects(sendAccessToken('x', null), SendUnavailable);
});

test('the access call carries the Send token as a bearer token; a 404 means not available', async () => {
  const calls = fakeFetch(() => json(200, { id: 'a', type: 0, name: '2.x', text: null, file: null, expirationDate: null, creatorIdentifier: 'a@b.c' }));
  await accessSend('tok');
  assert.equal(calls[0]!.url, '/api/sends/access');
  assert.equal(calls[0]!.init.method, 'POST');
  assert.equal((calls[0]!.init.headers as Record<string, string>).Authorization, 'Bearer tok');
  fakeFetch(() => new Response('', { status: 404 }));
  await assert.rejects(accessSend('tok'), SendUnavailable);
});
