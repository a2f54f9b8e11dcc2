import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Api, ApiError, TwoFactorRequired } from '../src/api';

type Handler = (url: string, init: RequestInit) => Response;

function fakeFetch(handler: Handler): { calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return handler(url, init);
  }) as typeof fetch;
  return { calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const device = { identifier: 'd-1', name: 'Test', type: 9 };

test('the password grant sends the fields the server requires, with client_id web', async () => {
  const { calls } = fakeFetch(() => json(200, { access_token: 'a', refresh_token: 'r', expires_in: 3600, Key: '2.x' }));
  const api = new Api(device);
  await api.login(' A@Example.com ', 'hash', { provider: '0', token: '123456', remember: false });
  const form = new URLSearchParams(calls[0]!.init.body as URLSearchParams);
  assert.equal(calls[0]!.url, '/identity/connect/token');
  assert.deepEqual(Object.fromEntries(form), {
    scope: 'api offline_access', client_id: 'web', deviceType: '9', deviceIdentifier: 'd-1', deviceName: 'Test',
    twoFactorToken: '123456', twoFactorProvider: '0', twoFactorRemember: '0', grant_type: 'password', username: ' A@Example.com ', password: 'hash',
  });
  assert.equal(api.tokens?.refreshToken, 'r');
});

test('a two-factor challenge is recognised by TwoFactorProviders2', async () => {
  fakeFetch(() => json(400, { error: 'invalid_grant', error_description: 'Two factor required.', TwoFactorProviders: ['0'], TwoFactorProviders2: { 0: null } }));
  await assert.rejects(new Api(device).login('a@example.com', 'h'), (e: unknown) => e instanceof TwoFactorRequired && e.providers[0] === '0');
});

test('errors carry the server message', async () => {
  fakeFetch(() => json(400, { error: 'invalid_grant', error_description: 'x', ErrorModel: { Message: 'Username or password is incorrect. Try again.' } }));
  await assert.rejects(new Api(device).login('a@example.com', 'h'), (e: unknown) => e instanceof ApiError && e.message === 'Username or password is incorrect. Try again.');
  fakeFetch(() => json(400, { message: 'The model state is invalid.', validationErrors: { name: ['The name is too long.'] }, object: 'error' }));
  const api = new Api(device);
  api.tokens = { accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 60_000 };
  await assert.rejects(api.createFolder('2.x'), /The name is too long\./);
});

test('an expired access token is refreshed once for concurrent calls, and the rotated refresh token kept', async () => {
  let refreshes = 0;
  const { calls } = fakeFetch((url, init) => {
    if (url === '/identity/connect/token') {
      refreshes++;
      assert.equal(new URLSearchParams(init.body as URLSearchParams).get('refresh_token'), 'r1');
      return json(200, { access_token: 'a2', refresh_token: 'r2', expires_in: 3600 });
    }
    assert.equal((init.headers as Record<string, string>).Authorization, 'Bearer a2');
    return json(200, { data: [] });
  });
  const api = new Api(device);
  const seen: (string | undefined)[] = [];
  api.onTokens = (t) => seen.push(t?.refreshToken);
  api.tokens = { accessToken: 'a1', refreshToken: 'r1', expiresAt: 0 };
  await Promise.all([api.devices(), api.devices(), api.twoFactorProviders()]);
  assert.equal(refreshes, 1);
  assert.deepEqual(seen, ['r2']);
  assert.equal(calls.length, 4);
});

test('a refused refresh token ends the session', async () => {
  fakeFetch(() => json(400, { error: 'invalid_grant' }));
  const api = new Api(device);
  let loggedOut = false;
  api.onLoggedOut = () => (loggedOut = true);
  api.tokens = { accessToken: 'a1', refreshToken: 'r1', expiresAt: 0 };
  await assert.rejects(api.sync(), /session has ended/);
  assert.equal(loggedOut, true);
  assert.equal(api.tokens, null);
});
