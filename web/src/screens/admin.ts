import { AdminApi, AdminError, auditSummary, mailSummary, userState, type AdminMail, type AdminOrganization, type AdminUser, type Invitation } from '../admin';
import { errorText, field, h, message, replace } from '../dom';
import { vault } from '../vault';

// One client per page load: its admin proof lives in memory only, so a reload asks for the password again.
const admin = new AdminApi({ accessToken: () => vault.api.accessToken(), expireAccessToken: () => vault.api.expireAccessToken() });

interface View {
  status: HTMLElement;
  body: HTMLElement;
}

const when = (value: string | null) => (value ? new Date(value).toLocaleString() : '—');

/**
 * The admin screen at /admin: accounts (metadata only), invitations, registration mode, organizations (counts only)
 * and who may create them, outgoing mail (its outbox and a test message), and the audit chain check.
 * The server decides who may see it: without a fresh proof it asks for one, and this screen asks for the master
 * password (hashed here with the account's own KDF, PBKDF2 or Argon2id) or an authenticator code.
 */
export async function adminScreen(root: HTMLElement): Promise<void> {
  const view: View = { status: h('div', { 'aria-live': 'polite' }), body: h('div', {}) };
  root.classList.add('wide');
  replace(root, h('h1', {}, 'Administration'), view.status, view.body);
  await run(view, () => showConsole(view));
}

async function run(view: View, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof AdminError && err.refusal === 'proof') {
      proofForm(view, admin.proofExpiresAt === null && view.body.dataset.proved === 'true');
    } else if (err instanceof AdminError && err.refusal === 'two-factor') {
      replace(view.status, message('error', err.message));
      replace(view.body, h('p', {}, h('a', { href: '/#/settings' }, 'Turn on two-step login in Settings')));
    } else if (err instanceof AdminError && err.refusal === 'not-admin') {
      replace(view.status, message('error', 'This account is not an admin. An admin is made on the server with: coffer-server admin create EMAIL'));
      replace(view.body);
    } else {
      replace(view.status, message('error', errorText(err)));
    }
  }
}

function proofForm(view: View, expired: boolean): void {
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password' });
  const code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code' });
  const submit = h('button', { type: 'submit' }, 'Confirm');
  const form = h('form', { className: 'card narrow', 'aria-labelledby': 'proof-title' },
    h('h2', { id: 'proof-title' }, 'Confirm it is you'),
    h('p', {}, expired
      ? 'Your confirmation has expired. Enter your master password or an authenticator code again.'
      : 'Admin actions need your master password or a code from your authenticator app, entered within the last few minutes.'),
    field('Master password', password),
    field('Authenticator code', code, 'With two-step login on, the code alone is enough; with both, both must be right.'),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!password.value && !code.value.trim()) {
      replace(view.status, message('error', 'Enter your master password or an authenticator code.'));
      return;
    }
    submit.disabled = true;
    replace(view.status, message('info', 'Checking…'));
    try {
      // Checked against the protected user key first, so a typo never reaches the server's lockout count.
      const masterPasswordHash = password.value ? await vault.verificationHash(password.value) : undefined;
      await admin.prove({ masterPasswordHash, otp: code.value.replace(/\s/g, '') });
      view.body.dataset.proved = 'true';
      replace(view.status);
      await run(view, () => showConsole(view));
    } catch (err) {
      replace(view.status, message('error', errorText(err)));
      submit.disabled = false;
    }
  });
  replace(view.body, form);
  password.focus();
}

async function showConsole(view: View): Promise<void> {
  const [users, invitations, settings, organizations, audit, mail] = await Promise.all(
    [admin.users(), admin.invitations(), admin.settings(), admin.organizations(), admin.verifyAudit(), admin.mail()]);
  const until = admin.proofExpiresAt;
  replace(view.body,
    h('p', { className: 'meta' }, until ? `Confirmed until ${new Date(until).toLocaleTimeString()}; after that, the next action asks again.` : ''),
    section('Accounts', usersTable(view, users)),
    section('Invitations', ...invitationsPart(view, invitations, mail)),
    section('Registration', registrationForm(view, settings.registrationMode)),
    section('Organizations', organizationCreationForm(view, settings.organizationCreation), organizationsTable(view, organizations)),
    section('E-mail', ...mailPart(view, mail)),
    section('Audit log', h('p', { 'data-testid': 'audit-status' }, auditSummary(audit)),
      h('button', { type: 'button', className: 'secondary', onclick: () => run(view, async () => {
        replace(view.status, message('info', auditSummary(await admin.verifyAudit())));
      }) }, 'Verify the audit log')));
}

function section(title: string, ...children: Node[]): HTMLElement {
  const id = `admin-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return h('section', { className: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** Runs an admin action, says what it did, and redraws the console with fresh data. */
function act(view: View, action: () => Promise<unknown>, done: string): () => Promise<void> {
  return () => run(view, async () => {
    await action();
    await showConsole(view);
    replace(view.status, message('info', done));
  });
}

function usersTable(view: View, users: AdminUser[]): HTMLElement {
  const button = (label: string, user: AdminUser, onclick: () => void, danger = false, disabled = false) =>
    h('button', { type: 'button', className: `small ${danger ? 'danger' : 'secondary'}`, 'aria-label': `${label}: ${user.email}`, disabled, onclick }, label);
  const rows = users.map((user) => {
    const self = user.id === vault.userId;
    const toggle = user.disabled
      ? button('Enable', user, act(view, () => admin.userAction(user.id, 'enable'), `${user.email} is enabled.`))
      : button('Disable', user, act(view, () => admin.userAction(user.id, 'disable'), `${user.email} is disabled and signed out everywhere.`), false, self);
    const remove = button('Delete', user, () => {
      if (confirm(`Delete ${user.email} and all of their vault data? This cannot be undone.`)) {
        void act(view, () => admin.deleteUser(user.id), `${user.email} is deleted.`)();
      }
    }, true, self);
    return h('tr', {},
      h('td', {}, user.email + (self ? ' (you)' : '')), h('td', {}, user.name ?? ''), h('td', {}, when(user.creationDate)),
      h('td', {}, when(user.lastLogin)), h('td', {}, String(user.itemCount)), h('td', {}, userState(user)),
      h('td', {}, h('div', { className: 'row-actions' }, toggle,
        button('Sign out everywhere', user, act(view, () => admin.userAction(user.id, 'logout'), `${user.email} is signed out on every device.`)), remove)));
  });
  return table('Metadata only: vault contents are encrypted with keys the server never has.',
    ['E-mail', 'Name', 'Created', 'Last login', 'Items', 'State', 'Actions'], rows, 'admin-users');
}

function invitationsPart(view: View, invitations: Invitation[], mail: AdminMail): HTMLElement[] {
  const email = h('input', { type: 'email', name: 'invite-email', required: true });
  const form = h('form', { className: 'inline' }, field('E-mail address to invite', email), h('button', { type: 'submit' }, 'Create invitation'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run(view, async () => {
      const invitation = await admin.invite(email.value);
      await showConsole(view);
      const mailed = mail.enabled ? ' It was mailed to them with a sign-up link.' : '';
      replace(view.status, message('info', `Invitation for ${invitation.email}, shown only now (valid 7 days): ${invitation.token} — they sign up with: coffer register ${invitation.email} --invite ${invitation.token}.${mailed}`));
    });
  });
  const rows = invitations.map((i) => h('tr', {},
    h('td', {}, i.email), h('td', {}, when(i.creationDate)), h('td', {}, when(i.expirationDate)), h('td', {}, i.status),
    h('td', {}, h('button', { type: 'button', className: 'small danger', 'aria-label': `Revoke invitation: ${i.email}`,
      onclick: act(view, () => admin.revokeInvitation(i.id), `The invitation for ${i.email} is revoked.`) }, 'Revoke'))));
  return [form, table(null, ['E-mail', 'Created', 'Expires', 'Status', 'Actions'], rows, 'admin-invitations')];
}

/** The state of outgoing mail, the given-up messages, and a form that sends a test message now and shows why it failed. */
function mailPart(view: View, mail: AdminMail): HTMLElement[] {
  const summary = h('p', { 'data-testid': 'mail-status' }, mailSummary(mail));
  if (!mail.enabled) return [summary];
  const email = h('input', { type: 'email', name: 'test-email', required: true, value: vault.email });
  const result = h('div', { 'aria-live': 'polite', 'data-testid': 'mail-test-result' });
  const submit = h('button', { type: 'submit' }, 'Send a test message');
  const form = h('form', { className: 'inline' }, field('Send a test message to', email), submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit.disabled = true;
    replace(result, message('info', 'Sending…'));
    void run(view, async () => {
      try {
        const sent = await admin.testMail(email.value);
        replace(result, message('info', `The mail server took the test message to ${sent.to}.`));
      } catch (err) {
        if (err instanceof AdminError && err.refusal !== null) throw err;
        replace(result, message('error', `Not sent: ${errorText(err)}`));
      } finally {
        submit.disabled = false;
      }
    });
  });
  const rows = mail.failures.map((f) => h('tr', {},
    h('td', {}, f.to), h('td', {}, f.template), h('td', {}, when(f.creationDate)), h('td', {}, when(f.failedDate)),
    h('td', {}, String(f.attempts)), h('td', {}, f.lastError ?? '')));
  return [summary, form, result,
    ...(rows.length ? [table('Given up, newest first: the mail server refused these for good, or failed for too long.',
      ['To', 'Kind', 'Queued', 'Given up', 'Attempts', 'Last answer'], rows, 'admin-mail-failures')] : [])];
}

function registrationForm(view: View, mode: string): HTMLElement {
  const select = h('select', { name: 'registration-mode' },
    ...[['open', 'Anyone (open)'], ['invite', 'Invited e-mail addresses only'], ['closed', 'Nobody (closed)']]
      .map(([value, label]) => h('option', { value, selected: value === mode }, label)));
  const form = h('form', { className: 'inline' }, field('Who may create an account', select), h('button', { type: 'submit' }, 'Save'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(view, () => admin.setRegistrationMode(select.value), `Registration is now ${select.value}.`)();
  });
  return form;
}

function organizationCreationForm(view: View, value: string): HTMLElement {
  const select = h('select', { name: 'organization-creation' },
    ...[['everyone', 'Every user'], ['admins', 'Server admins only']]
      .map(([option, label]) => h('option', { value: option, selected: option === value }, label)));
  const form = h('form', { className: 'inline' }, field('Who may create an organization', select), h('button', { type: 'submit' }, 'Save'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(view, () => admin.setOrganizationCreation(select.value), `Organizations may now be created by: ${select.value}.`)();
  });
  return form;
}

function organizationsTable(view: View, organizations: AdminOrganization[]): HTMLElement {
  const rows = organizations.map((o) => h('tr', {},
    h('td', {}, o.name), h('td', {}, o.owners.join(', ')), h('td', {}, when(o.creationDate)),
    h('td', {}, `${o.memberCount}${o.pendingMemberCount ? ` (+${o.pendingMemberCount} pending)` : ''}`),
    h('td', {}, String(o.collectionCount)), h('td', {}, String(o.itemCount)),
    h('td', {}, h('button', { type: 'button', className: 'small danger', 'aria-label': `Delete organization: ${o.name}`, onclick: () => {
      if (confirm(`Delete the organization ${o.name} with its ${o.itemCount} items and ${o.collectionCount} collections? This cannot be undone.`)) {
        void act(view, () => admin.deleteOrganization(o.id), `The organization ${o.name} is deleted.`)();
      }
    } }, 'Delete'))));
  return table('Names and counts only: collection names and items are encrypted with keys the server never has.',
    ['Name', 'Owners', 'Created', 'Members', 'Collections', 'Items', 'Actions'], rows, 'admin-organizations');
}

function table(caption: string | null, headings: string[], rows: HTMLElement[], testId: string): HTMLElement {
  return h('div', { className: 'table-scroll' }, h('table', { 'data-testid': testId },
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headings.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows)));
}
