import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminApi, AdminError, PROOF_HEADER, PROOF_REQUIRED, TWO_FACTOR_REQUIRED, auditSummary, refusalOf, userState } from '../src/admin';

type Call = { url: string; init: RequestInit };

function fakeFetch(handler: (call: Call) => Response): Call[] {
  const calls: Call[] = [];
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    const call = { url, init };
    calls.push(call);
    return handler(call);
  }) as typeof fetch;
  return calls;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status < 400 ? 'application/json' : 'application/problem+json' } });
const header = (call: Call, name: string) => (call.init.headers as Record<string, string>)[name];
const proofRequired = () => json(401, { type: PROOF_REQUIRED, status: 401, detail: 'Admin actions need the master password…', code: 'admin_proof_required' });

function session(tokens = ['a1']) {
  let expired = 0;
  return {
    session: { accessToken: async () => tokens[Math.min(expired, tokens.length - 1)]!, expireAccessToken: () => void expired++ },
    expirations: () => expired,
  };
}

test('refusals are told apart by status and problem type', () => {
  assert.equal(refusalOf(401, { type: PROOF_REQUIRED }), 'proof');
  assert.equal(refusalOf(401, { type: 'about:blank' }), null);
  assert.equal(refusalOf(403, { type: TWO_FACTOR_REQUIRED }), 'two-factor');
  assert.equal(refusalOf(403, null), 'not-admin');
  assert.equal(refusalOf(400, { type: PROOF_REQUIRED }), null);
});

test('elevation sends the factors, and later calls carry the proof beside the access token', async () => {
  const calls = fakeFetch(({ url }) => url.endsWith('/session') ? json(200, { proof: 'p1', expiresAt: new Date(Date.now() + 300_000).toISOString() }) : json(200, []));
  const api = new AdminApi(session().session);

  await api.prove({ masterPasswordHash: 'hash' });
  await api.users();

  assert.equal(calls[0]!.url, '/admin/api/session');
  assert.deepEqual(JSON.parse(calls[0]!.init.body as string), { masterPasswordHash: 'hash', otp: null });
  assert.equal(header(calls[0]!, PROOF_HEADER), undefined);
  assert.equal(calls[1]!.url, '/admin/api/users');
  assert.equal(header(calls[1]!, 'Authorization'), 'Bearer a1');
  assert.equal(header(calls[1]!, PROOF_HEADER), 'p1');
});

test('a proof past its time is not sent, and the server asking for one is an AdminError of refusal "proof"', async () => {
  let now = Date.now();
  const calls = fakeFetch(({ url }) => url.endsWith('/session') ? json(200, { proof: 'p1', expiresAt: new Date(now + 300_000).toISOString() }) : proofRequired());
  const api = new AdminApi(session().session, () => now);
  await api.prove({ otp: '123456' });
  now += 300_001;

  await assert.rejects(api.settings(), (e: unknown) => e instanceof AdminError && e.refusal === 'proof' && e.status === 401);

  assert.deepEqual(JSON.parse(calls[0]!.init.body as string), { masterPasswordHash: null, otp: '123456' });
  assert.equal(header(calls[1]!, PROOF_HEADER), undefined);
  assert.equal(api.proofExpiresAt, null);
});

test('a refused access token is refreshed once and the call repeated; a proof refusal is not', async () => {
  const { session: s, expirations } = session(['old', 'new']);
  const calls = fakeFetch(({ init }) => header({ url: '', init }, 'Authorization') === 'Bearer old' ? json(401, { status: 401, detail: 'A valid access token is required.' }) : json(200, { registrationMode: 'open', defaultRegistrationMode: 'open' }));
  const api = new AdminApi(s);

  assert.equal((await api.settings()).registrationMode, 'open');
  assert.equal(calls.length, 2);
  assert.equal(expirations(), 1);

  fakeFetch(() => proofRequired());
  await assert.rejects(api.users(), (e: unknown) => e instanceof AdminError && e.refusal === 'proof');
  assert.equal(expirations(), 1);
});

test('403 names the reason: no two-step login, or no admin', async () => {
  const api = new AdminApi(session().session);
  fakeFetch(() => json(403, { type: TWO_FACTOR_REQUIRED, status: 403, detail: 'Admin actions need two-step login on the admin\'s account.' }));
  await assert.rejects(api.users(), (e: unknown) => e instanceof AdminError && e.refusal === 'two-factor' && /two-step login/.test(e.message));
  fakeFetch(() => json(403, { status: 403, title: 'Forbidden' }));
  await assert.rejects(api.users(), (e: unknown) => e instanceof AdminError && e.refusal === 'not-admin');
});

test('actions go to their routes with the ids escaped', async () => {
  const calls = fakeFetch(() => new Response(null, { status: 204 }));
  const api = new AdminApi(session().session);
  await api.userAction('a/b', 'disable');
  await api.deleteUser('u1');
  await api.revokeInvitation('i1');
  assert.deepEqual(calls.map((c) => `${c.init.method} ${c.url}`), ['POST /admin/api/users/a%2Fb/disable', 'DELETE /admin/api/users/u1', 'DELETE /admin/api/invitations/i1']);
});

test('the accounts table and the audit line read as sentences', () => {
  const user = { id: '1', email: 'a@example.com', name: null, creationDate: '', lastLogin: null, itemCount: 0, disabled: true, admin: true, twoFactorEnabled: true };
  assert.equal(userState(user), 'admin, disabled, 2FA');
  assert.equal(userState({ ...user, admin: false, disabled: false, twoFactorEnabled: false }), 'user, active');
  assert.equal(auditSummary({ checked: 7, intact: true, firstBrokenSequence: null, reason: null }), 'Intact: all 7 events check out.');
  assert.match(auditSummary({ checked: 3, intact: false, firstBrokenSequence: 4, reason: 'hash mismatch' }), /^BROKEN at event 4: hash mismatch/);
  assert.equal(
    auditSummary({ checked: 3, intact: false, firstBrokenSequence: null, reason: 'the event at position 2 is missing', chains: 2, chain: 'c1', position: 2, checkpoint: 1 }),
    'BROKEN at a missing event (chain c1, position 2): the event at position 2 is missing (3 events before it check out).');
  assert.equal(auditSummary({ checked: 9, intact: true, firstBrokenSequence: null, reason: null, chains: 3, checkpoint: 2 }), 'Intact: all 9 events in 3 chains check out, up to checkpoint 2.');
});
