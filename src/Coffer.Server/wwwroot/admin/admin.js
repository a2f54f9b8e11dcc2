// The Coffer admin page: plain ES module, no framework. Tokens and the master password live only in this
// module's memory (never localStorage), so closing the tab signs out. All text goes in through textContent,
// never innerHTML, so an e-mail or name cannot inject markup.

const session = { accessToken: null, refreshToken: null, userId: null };
const encoder = new TextEncoder();
const $ = (id) => document.getElementById(id);

// Protocol §2.2: masterKey = PBKDF2-SHA256(password, salt = trimmed lowercase e-mail, n, 32 bytes);
// the login hash = Base64(PBKDF2-SHA256(key = masterKey, salt = password, 1, 32 bytes)).
async function pbkdf2(secret, salt, iterations) {
  const key = await crypto.subtle.importKey('raw', secret, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

export async function masterPasswordHash(password, salt, iterations) {
  const passwordBytes = encoder.encode(password);
  const masterKey = await pbkdf2(passwordBytes, encoder.encode(salt), iterations);
  const hash = await pbkdf2(masterKey, passwordBytes, 1);
  masterKey.fill(0);
  passwordBytes.fill(0);
  return btoa(String.fromCharCode(...hash));
}

function deviceIdentifier() {
  // Not a secret: it only keeps this browser one device in the account's device list.
  let id = localStorage.getItem('coffer-admin-device');
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem('coffer-admin-device', id);
  }
  return id;
}

function status(message, isError = false) {
  const element = $('status');
  element.textContent = message;
  element.className = isError ? 'error' : '';
}

function formatDate(value) {
  return value ? new Date(value).toLocaleString() : '—';
}

async function tokenRequest(fields) {
  const response = await fetch('/identity/connect/token', { method: 'POST', body: new URLSearchParams(fields) });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, body };
}

function acceptTokens(body) {
  session.accessToken = body.access_token;
  session.refreshToken = body.refresh_token;
  const payload = body.access_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  session.userId = JSON.parse(atob(payload)).sub;
}

async function signIn(email, password, code) {
  const salt = email.trim().toLowerCase();
  const preloginResponse = await fetch('/identity/accounts/prelogin/password', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: salt }),
  });
  if (!preloginResponse.ok) {
    throw new Error('The server did not answer the prelogin request.');
  }
  const prelogin = await preloginResponse.json();
  if (prelogin.kdf !== 0) {
    throw new Error('This account uses Argon2id, which this page does not support. Use the coffer-server admin commands on the server.');
  }
  const fields = {
    scope: 'api offline_access',
    client_id: 'web',
    deviceType: '21',
    deviceIdentifier: deviceIdentifier(),
    deviceName: 'Coffer admin page',
    grant_type: 'password',
    username: salt,
    password: await masterPasswordHash(password, salt, prelogin.kdfIterations),
  };
  if (code) {
    Object.assign(fields, { twoFactorToken: code, twoFactorProvider: '0', twoFactorRemember: '0' });
  }
  const { ok, body } = await tokenRequest(fields);
  if (ok) {
    acceptTokens(body);
    return true;
  }
  if (body.TwoFactorProviders2) {
    $('code-row').hidden = false;
    $('code').focus();
    throw new Error('Enter the code from your authenticator app.');
  }
  throw new Error(body.ErrorModel?.Message ?? body.message ?? 'Sign-in failed.');
}

async function refresh() {
  if (!session.refreshToken) {
    return false;
  }
  const { ok, body } = await tokenRequest({ grant_type: 'refresh_token', client_id: 'web', refresh_token: session.refreshToken });
  if (ok) {
    acceptTokens(body);
  }
  return ok;
}

async function api(path, method = 'GET', body = undefined) {
  const send = () => fetch('/admin/api' + path, {
    method,
    headers: { Authorization: 'Bearer ' + session.accessToken, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  let response = await send();
  if (response.status === 401 && await refresh()) {
    response = await send();
  }
  if (response.status === 401) {
    signOut('Your session has ended. Sign in again.');
    throw new Error('Signed out.');
  }
  if (response.status === 403) {
    signOut('This account is not an admin.');
    throw new Error('Not an admin.');
  }
  const json = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(json?.detail ?? json?.title ?? `The server answered ${response.status}.`);
  }
  return json;
}

function signOut(message) {
  session.accessToken = session.refreshToken = session.userId = null;
  $('console').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('users').replaceChildren();
  $('invitations').replaceChildren();
  $('invite-created').hidden = true;
  status(message);
  $('email').focus();
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
  return td;
}

function button(label, onClick, { danger = false, disabled = false } = {}) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = label;
  element.className = danger ? 'danger' : '';
  element.disabled = disabled;
  element.addEventListener('click', () => run(onClick));
  return element;
}

async function run(action) {
  try {
    await action();
  } catch (error) {
    if (error.message !== 'Signed out.' && error.message !== 'Not an admin.') {
      status(error.message, true);
    }
  }
}

async function loadUsers() {
  const users = await api('/users');
  const rows = users.map((user) => {
    const row = document.createElement('tr');
    const self = user.id === session.userId;
    cell(row, user.email + (self ? ' (you)' : ''));
    cell(row, user.name ?? '');
    cell(row, formatDate(user.creationDate));
    cell(row, formatDate(user.lastLogin));
    cell(row, String(user.itemCount));
    cell(row, [user.admin ? 'admin' : 'user', user.disabled ? 'disabled' : 'active'].concat(user.twoFactorEnabled ? ['2FA'] : []).join(', '));
    const actions = cell(row, '');
    actions.className = 'actions';
    const act = (verb, done) => async () => {
      await api(`/users/${user.id}/${verb}`, 'POST');
      status(done);
      await loadUsers();
    };
    actions.append(
      user.disabled
        ? button(`Enable`, act('enable', `${user.email} is enabled.`))
        : button(`Disable`, act('disable', `${user.email} is disabled and signed out everywhere.`), { disabled: self }),
      button('Sign out everywhere', act('logout', `${user.email} is signed out on every device.`)),
      button('Delete', async () => {
        if (!confirm(`Delete ${user.email} and all of their vault data? This cannot be undone.`)) {
          return;
        }
        await api(`/users/${user.id}`, 'DELETE');
        status(`${user.email} is deleted.`);
        await loadUsers();
      }, { danger: true, disabled: self }),
    );
    for (const control of actions.querySelectorAll('button')) {
      control.setAttribute('aria-label', `${control.textContent}: ${user.email}`);
    }
    return row;
  });
  $('users').replaceChildren(...rows);
}

async function loadInvitations() {
  const invitations = await api('/invitations');
  $('invitations').replaceChildren(...invitations.map((invitation) => {
    const row = document.createElement('tr');
    cell(row, invitation.email);
    cell(row, formatDate(invitation.creationDate));
    cell(row, formatDate(invitation.expirationDate));
    cell(row, invitation.status);
    const actions = cell(row, '');
    const revoke = button('Revoke', async () => {
      await api(`/invitations/${invitation.id}`, 'DELETE');
      status(`The invitation for ${invitation.email} is revoked.`);
      await loadInvitations();
    }, { danger: true });
    revoke.setAttribute('aria-label', `Revoke invitation: ${invitation.email}`);
    actions.append(revoke);
    return row;
  }));
}

async function loadSettings() {
  const settings = await api('/settings');
  $('registration-mode').value = settings.registrationMode;
}

async function verifyAudit() {
  const result = await api('/audit/verify');
  const element = $('audit-status');
  element.textContent = result.intact
    ? `Intact: all ${result.checked} events check out.`
    : `BROKEN at event ${result.firstBrokenSequence}: ${result.reason} (${result.checked} events before it check out).`;
  element.className = result.intact ? 'intact' : 'broken';
}

async function showConsole() {
  $('sign-in').hidden = true;
  $('console').hidden = false;
  $('sign-out').hidden = false;
  await Promise.all([loadUsers(), loadInvitations(), loadSettings(), verifyAudit()]);
  $('audit-title').focus();
}

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const password = $('password');
    run(async () => {
      status('Deriving the key and signing in…');
      await signIn($('email').value, password.value, $('code').value.trim());
      password.value = '';
      $('code').value = '';
      $('code-row').hidden = true;
      status('Signed in.');
      await showConsole();
    });
  });
  $('sign-out').addEventListener('click', () => signOut('Signed out.'));
  $('audit-verify').addEventListener('click', () => run(verifyAudit));
  $('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      const settings = await api('/settings', 'PUT', { registrationMode: $('registration-mode').value });
      status(`Registration is now ${settings.registrationMode}.`);
    });
  });
  $('invite-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      const created = await api('/invitations', 'POST', { email: $('invite-email').value });
      $('invite-created-email').textContent = created.email;
      $('invite-token').textContent = created.token;
      $('invite-created').hidden = false;
      $('invite-email').value = '';
      status(`Invitation created for ${created.email}.`);
      await loadInvitations();
    });
  });
});
