import { kdfWire } from '../api';
import { DEFAULT_KDF, KdfType, makeNewAccount, normalizeSalt, type KdfConfig } from '../crypto';
import { errorText, field, h, message, replace } from '../dom';
import { currentRoute, go } from '../router';
import { passwordStrength } from '../strength';
import { pinAcceptedOrganization } from '../orgguard';
import { vault } from '../vault';

const MIN_LENGTH = 12;
const ARGON2ID_KDF: KdfConfig = { kdfType: KdfType.Argon2id, iterations: 3, memory: 64, parallelism: 4 };

/**
 * Create account: the keys are made here (protocol §5.4) and only the hash and wrapped keys are sent. A strength
 * meter judges the master password; the hint is stored by the server in clear, so it must not give it away.
 * Links lead here with what they carry: an organization's invitation (#/register?email=…&orgInviteToken=…
 * &organizationUserId=…), an admin's mailed invitation (#/register?email=…&invite=…), and, with `verified`, the mailed
 * verification link of a server that verifies addresses (#/finish-signup?token=…&email=…&fromEmail=true, protocol §5.1).
 * An invitation stands in for the verification token, so with one no verification mail is asked for.
 */
export function registerScreen(root: HTMLElement, options: { verified?: boolean } = {}): void {
  const query = currentRoute().query;
  const linkToken = options.verified ? query.get('token') : null;
  const orgInviteToken = query.get('orgInviteToken') || null;
  const organizationUserId = query.get('organizationUserId') || null;
  const organizationId = query.get('organizationId') || null;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, value: query.get('email') ?? '', readonly: linkToken !== null });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', maxlength: '50' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: String(MIN_LENGTH) });
  const confirm = h('input', { type: 'password', name: 'confirm', autocomplete: 'new-password', required: true });
  const hint = h('input', { type: 'text', name: 'hint', maxlength: '50', autocomplete: 'off' });
  const invite = h('input', { type: 'text', name: 'invite', autocomplete: 'off', value: query.get('invite') ?? '' });
  const kdfChoice = h('select', { name: 'kdf' },
    h('option', { value: 'pbkdf2' }, 'PBKDF2 SHA-256, 600,000 iterations (default)'),
    h('option', { value: 'argon2id' }, 'Argon2id, 64 MiB, 3 iterations, parallelism 4'));
  const meter = h('meter', { min: '0', max: '4', low: '2', high: '3', optimum: '4', value: '0', id: 'strength-meter', 'aria-label': 'Master password strength' });
  const meterText = h('span', { id: 'strength-text', 'data-testid': 'strength-label' }, 'Type a master password');
  const feedback = h('small', { className: 'feedback' });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Create account');

  password.addEventListener('input', async () => {
    const value = password.value;
    if (!value) {
      meter.value = 0;
      meterText.textContent = 'Type a master password';
      feedback.textContent = '';
      return;
    }
    const s = await passwordStrength(value, [email.value, name.value, 'coffer']);
    if (password.value !== value) return;
    meter.value = s.score;
    meterText.textContent = `Strength: ${s.label}`;
    feedback.textContent = value.length < MIN_LENGTH ? `At least ${MIN_LENGTH} characters. ${s.feedback}` : s.feedback;
  });

  const form = h('form', { className: 'card narrow', 'aria-labelledby': 'register-title' },
    h('h1', { id: 'register-title' }, linkToken !== null ? 'Finish creating your account' : 'Create account'),
    field('Email address', email),
    field('Name (optional)', name),
    field('Master password', password, 'The only key to your vault. It cannot be recovered if you forget it.'),
    h('div', { className: 'strength' }, meter, ' ', meterText, h('br'), feedback),
    field('Confirm master password', confirm),
    field('Master password hint (optional)', hint, 'Shown to anyone who asks for it; never the password itself.'),
    field('Invitation code (if the server is invite-only)', invite),
    field('Key derivation (KDF)', kdfChoice, 'Argon2id resists GPU guessing better; every Bitwarden-compatible client reads both.'),
    status,
    submit,
    h('p', {}, 'Already have an account? ', h('a', { href: '#/login' }, 'Log in')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (password.value.length < MIN_LENGTH) return replace(status, message('error', `The master password needs at least ${MIN_LENGTH} characters.`));
    if (password.value !== confirm.value) return replace(status, message('error', 'The two master passwords differ.'));
    if (hint.value && hint.value.trim() === password.value) return replace(status, message('error', 'The hint must not be the master password.'));
    // Scored again here: the meter's check is asynchronous and may not have finished when the form is submitted.
    const { score } = await passwordStrength(password.value, [email.value, name.value, 'coffer']);
    if (score < 2 && !window.confirm('This master password is weak. Use it anyway?')) return;
    submit.disabled = true;
    replace(status, message('info', 'Creating your keys…'));
    try {
      const mail = normalizeSalt(email.value);
      const invited = invite.value.trim() !== '' || orgInviteToken !== null;
      const token = linkToken ?? (invited ? null : await vault.api.sendVerificationEmail(mail, name.value || null));
      if (!token && !invited) {
        replace(status, message('info', `Check your e-mail (${mail}) for the link that finishes sign-up; this page can be closed.`));
        return;
      }
      const kdf: KdfConfig = kdfChoice.value === 'argon2id' ? ARGON2ID_KDF : DEFAULT_KDF;
      const account = await makeNewAccount(mail, password.value, kdf);
      const wire = kdfWire(kdf);
      await vault.api.registerFinish({
        email: mail,
        name: name.value || null,
        emailVerificationToken: token,
        inviteToken: invite.value.trim() || null,
        orgInviteToken,
        organizationUserId,
        masterPasswordHint: hint.value || null,
        userSymmetricKey: account.protectedUserKey,
        userAsymmetricKeys: account.keys,
        masterPasswordHash: account.masterPasswordHash,
        masterPasswordAuthentication: { salt: account.salt, kdf: wire.object, masterPasswordAuthenticationHash: account.masterPasswordHash },
        masterPasswordUnlock: { salt: account.salt, kdf: wire.object, masterKeyWrappedUserKey: account.protectedUserKey, containedKeyId: account.userKeyId },
        ...wire.flat,
      });
      // Joined through this browser's invitation link: trusted here (accepted-here, orgguard.ts) from the first sync.
      if (orgInviteToken && organizationId) await pinAcceptedOrganization(mail, organizationId, null);
      replace(status, message('info', 'Account created. Logging in…'));
      await vault.login(mail, password.value, kdf);
      go('/vault');
    } catch (err) {
      replace(status, message('error', errorText(err)));
      submit.disabled = false;
    }
  });
  replace(root, form);
  email.focus();
}
