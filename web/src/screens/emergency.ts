import {
  EMERGENCY_STATUS_NAMES, EMERGENCY_TYPE_NAMES, EmergencyStatus, EmergencyType, type GrantingContact, type TrustedContact,
} from '../emergencyapi';
import { takeOver } from '../emergency';
import { errorText, field, h, message, replace } from '../dom';
import { go } from '../router';
import { passwordStrength } from '../strength';
import { vault } from '../vault';
import { ownFingerprint, phraseOf } from './fingerprint';
import { checkPersonKey, pinPersonKey } from '../orgguard';
import { handleUnsafe } from './unsafe';

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
const who = (g: { name: string | null; email: string | null }) => (g.name ? `${g.name} <${g.email ?? ''}>` : g.email ?? '?');

/**
 * Settings → Emergency access (sharing doc §4): the trusted contacts the user names (invite with a type and a wait,
 * confirm after comparing the contact's fingerprint phrase, approve or reject a request, remove), and the people who
 * trust the user (request access, then view their vault read-only or take it over once access is granted, remove).
 */
export async function emergencyScreen(root: HTMLElement): Promise<void> {
  let trusted: TrustedContact[];
  let granted: GrantingContact[];
  try {
    [trusted, granted] = await Promise.all([vault.emergencyApi.trusted(), vault.emergencyApi.granted()]);
  } catch (err) {
    replace(root, h('h1', {}, 'Emergency access'), message('error', errorText(err)));
    return;
  }
  const status = h('div', { 'aria-live': 'polite', className: 'status' });
  const panel = h('div', {});
  const reload = async (note: string) => {
    await emergencyScreen(root);
    replace(root.querySelector('.status')!, message('info', note));
  };
  const act = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      await reload(done);
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  };
  const button = (label: string, aria: string, onclick: () => void, className = 'small') => h('button', { type: 'button', className, 'aria-label': aria, onclick }, label);

  // ---------- my trusted contacts (I am the grantor) ----------
  async function startConfirm(g: TrustedContact) {
    replace(panel, message('info', 'Fetching the contact’s public key…'));
    try {
      if (!g.granteeId) throw new Error('This invitation has not been accepted yet.');
      const granteeId = g.granteeId;
      const { publicKey } = await vault.orgApi.userPublicKey(granteeId);
      // Your user key is wrapped for this key: one other than the key confirmed for this person before is refused (ea-pk-swap).
      await checkPersonKey(vault.email, granteeId, publicKey, 'ea-pk-swap', g.email ?? granteeId);
      const phrase = await phraseOf(granteeId, publicKey);
      const compared = h('input', { type: 'checkbox', name: 'phraseCompared', required: true });
      const password = h('input', { type: 'password', name: 'confirmPassword', autocomplete: 'current-password', required: true });
      const form = h('form', { className: 'card', 'aria-labelledby': 'ea-confirm-title' },
        h('h2', { id: 'ea-confirm-title' }, `Confirm ${g.email}`),
        h('p', {}, 'Ask your contact for the fingerprint phrase their own client shows for their account, over a channel this server does not carry (in person, a call). Confirm only if it is the same:'),
        h('p', { className: 'fingerprint', 'data-testid': 'fingerprint-phrase' }, phrase),
        h('div', { className: 'field checkbox' }, h('label', {}, compared, ` ${g.email} read me the same phrase`)),
        field('Your master password', password, 'Your key is wrapped for this contact’s public key in this browser; the server never sees it.'),
        h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Confirm contact'), h('button', { type: 'button', className: 'secondary', onclick: () => replace(panel) }, 'Cancel')));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        if (!compared.checked) return;
        void act(async () => {
          const key = await vault.wrapUserKeyFor(password.value, publicKey);
          await pinPersonKey(vault.email, granteeId, publicKey, 'grantee');
          await vault.emergencyApi.confirm(g.id, key);
        }, `${g.email} is confirmed.`);
      });
      replace(panel, form);
      password.focus();
    } catch (err) {
      if (handleUnsafe(err)) return;
      replace(panel, message('error', errorText(err)));
    }
  }

  const trustedRows = trusted.map((g) => h('tr', {},
    h('th', { scope: 'row' }, who(g)),
    h('td', {}, EMERGENCY_TYPE_NAMES[g.type] ?? String(g.type)),
    h('td', {}, days(g.waitTimeDays)),
    h('td', {}, EMERGENCY_STATUS_NAMES[g.status] ?? String(g.status)),
    h('td', { className: 'row-actions' },
      g.status === EmergencyStatus.Invited ? button('Resend', `Resend the invitation to ${g.email}`, () => void act(() => vault.emergencyApi.reinvite(g.id), `Invitation sent again to ${g.email}.`), 'small secondary') : null,
      g.status === EmergencyStatus.Accepted ? button('Confirm', `Confirm ${g.email}`, () => void startConfirm(g)) : null,
      g.status === EmergencyStatus.RecoveryInitiated ? button('Approve', `Approve access for ${g.email}`, () => void act(() => vault.emergencyApi.approve(g.id), `${g.email} now has access.`)) : null,
      g.status >= EmergencyStatus.RecoveryInitiated ? button('Reject', `Reject access for ${g.email}`, () => void act(() => vault.emergencyApi.reject(g.id), `Access for ${g.email} is rejected.`), 'small secondary') : null,
      button('Remove', `Remove ${g.email}`, () => confirm(`Remove ${g.email} as an emergency contact?`) && void act(() => vault.emergencyApi.remove(g.id), `${g.email} is removed.`), 'small danger'))));

  const email = h('input', { type: 'email', name: 'emergencyEmail', required: true, autocomplete: 'off' });
  const type = h('select', { name: 'emergencyType' },
    h('option', { value: String(EmergencyType.View) }, 'View: read my items'),
    h('option', { value: String(EmergencyType.Takeover) }, 'Takeover: set a new master password for my account'));
  const wait = h('input', { type: 'number', name: 'waitDays', min: 1, max: 32767, value: 7, required: true });
  const inviteStatus = h('div', { 'aria-live': 'polite' });
  const invite = h('form', { className: 'card', 'aria-labelledby': 'ea-invite-title' },
    h('h2', { id: 'ea-invite-title' }, 'Add a trusted contact'),
    field('Contact e-mail', email, 'They need a Coffer account on this server.'), field('Access', type),
    field('Wait time (days)', wait, 'After they ask, you have this long to reject before access is granted.'),
    inviteStatus, h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Invite')));
  invite.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await vault.emergencyApi.invite(email.value, Number(type.value), Number(wait.value));
      await reload(`Invited ${email.value.trim()}. Once they have accepted, confirm them here after comparing their fingerprint phrase.`);
    } catch (err) {
      replace(inviteStatus, message('error', errorText(err)));
    }
  });

  // ---------- contacts who trust me (I am the grantee) ----------
  function startTakeover(g: GrantingContact) {
    const next = h('input', { type: 'password', name: 'takeoverPassword', autocomplete: 'new-password', required: true });
    const again = h('input', { type: 'password', name: 'takeoverPasswordAgain', autocomplete: 'new-password', required: true });
    const strength = h('p', { className: 'meta', 'aria-live': 'polite' });
    next.addEventListener('input', async () => {
      const s = next.value ? await passwordStrength(next.value, [g.email ?? '']) : null;
      strength.textContent = s ? `Strength: ${s.label}. ${s.feedback}` : '';
    });
    const result = h('div', { 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', className: 'danger' }, 'Take over');
    const form = h('form', { className: 'card', 'aria-labelledby': 'ea-takeover-title' },
      h('h2', { id: 'ea-takeover-title' }, `Take over the account of ${g.email}`),
      h('p', {}, 'This sets a new master password for their account: their sessions end and their two-step login is removed. Their items stay, encrypted with the same key.'),
      field('New master password', next), strength, field('New master password again', again), result,
      h('div', { className: 'actions' }, submit, h('button', { type: 'button', className: 'secondary', onclick: () => replace(panel) }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (next.value.length < 12) return replace(result, message('error', 'The new master password needs at least 12 characters.'));
      if (next.value !== again.value) return replace(result, message('error', 'The two new master passwords differ.'));
      submit.disabled = true;
      replace(result, message('info', 'Working…'));
      try {
        await takeOver(g.id, next.value, g.email ?? '');
        replace(panel, message('info', `The account of ${g.email} now has the new master password. Log in to it with that password.`));
      } catch (err) {
        replace(result, message('error', errorText(err)));
        submit.disabled = false;
      }
    });
    replace(panel, form);
    next.focus();
  }

  const grantedRows = granted.map((g) => {
    const approved = g.status === EmergencyStatus.RecoveryApproved;
    return h('tr', {},
      h('th', { scope: 'row' }, who(g)),
      h('td', {}, EMERGENCY_TYPE_NAMES[g.type] ?? String(g.type)),
      h('td', {}, days(g.waitTimeDays)),
      h('td', {}, EMERGENCY_STATUS_NAMES[g.status] ?? String(g.status)),
      h('td', { className: 'row-actions' },
        g.status === EmergencyStatus.Invited ? h('span', { className: 'meta' }, 'Open the link in the invitation e-mail to accept.') : null,
        g.status === EmergencyStatus.Confirmed
          ? button('Request access', `Request access to the vault of ${g.email}`,
              () => confirm(`Ask ${g.email} for access? They are told, and access is granted after ${days(g.waitTimeDays)} unless they reject it.`)
                && void act(() => vault.emergencyApi.initiate(g.id), `Access to the vault of ${g.email} is requested.`))
          : null,
        approved && g.type === EmergencyType.View ? button('View vault', `View the vault of ${g.email}`, () => go(`/settings/emergency/view/${g.id}`)) : null,
        approved && g.type === EmergencyType.Takeover ? button('Take over', `Take over the account of ${g.email}`, () => startTakeover(g), 'small danger') : null,
        button('Remove', `Remove the emergency access of ${g.email}`, () => confirm(`Give up emergency access to the vault of ${g.email}?`) && void act(() => vault.emergencyApi.remove(g.id), `Emergency access of ${g.email} is removed.`), 'small secondary')));
  });

  const table = (label: string, rows: HTMLElement[], empty: string) => rows.length
    ? h('div', { className: 'table-scroll' }, h('table', { 'aria-label': label },
        h('thead', {}, h('tr', {}, ['Contact', 'Access', 'Wait', 'Status', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows)))
    : h('p', { className: 'meta' }, empty);

  replace(root,
    h('p', {}, h('a', { href: '#/settings' }, '← Settings')),
    h('h1', {}, 'Emergency access'),
    status,
    h('section', { className: 'card', 'aria-labelledby': 'ea-trusted-title' },
      h('h2', { id: 'ea-trusted-title' }, 'Trusted emergency contacts'),
      h('p', { className: 'meta' }, 'People who may ask for access to your vault. Once they ask, access is granted when the wait time has passed, unless you reject it first.'),
      table('Trusted emergency contacts', trustedRows, 'No trusted contacts yet.')),
    panel,
    invite,
    h('section', { className: 'card', 'aria-labelledby': 'ea-granted-title' },
      h('h2', { id: 'ea-granted-title' }, 'Contacts who trust you'),
      table('Contacts who trust you', grantedRows, 'Nobody has named you as an emergency contact.'),
      h('p', { className: 'meta' }, 'Your fingerprint phrase, to read out to someone confirming you: ',
        h('span', { className: 'fingerprint', 'data-testid': 'own-fingerprint-phrase' }, await ownFingerprint()))));
}
