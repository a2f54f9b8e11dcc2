import { TwoFactorRequired } from '../api';
import type { KdfConfig } from '../crypto';
import { errorText, field, h, message, replace } from '../dom';
import { go } from '../router';
import { vault } from '../vault';

/** Log in: e-mail and master password, then the authenticator code when the account has two-step login on. */
export function loginScreen(root: HTMLElement): void {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, value: localStorage.getItem('coffer.email') ?? '' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Log in');
  const form = h('form', { className: 'card narrow', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in'),
    field('Email address', email),
    field('Master password', password),
    status,
    submit,
    h('p', {}, h('a', { href: '#/hint' }, 'Get your master password hint')),
    h('p', {}, 'New here? ', h('a', { href: '#/register' }, 'Create account')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    replace(status, message('info', 'Logging in…'));
    let kdf: KdfConfig | undefined;
    try {
      kdf = await vault.prelogin(email.value);
      await vault.login(email.value, password.value, kdf);
      go('/vault');
    } catch (err) {
      if (err instanceof TwoFactorRequired && kdf) {
        twoFactorStep(root, email.value, password.value, kdf, err.providers);
        return;
      }
      replace(status, message('error', errorText(err)));
      submit.disabled = false;
    }
  });
  replace(root, form);
  (email.value ? password : email).focus();
}

// No "remember this device": the server's remember token skips the second factor, and a token that must
// outlive the tab would have to sit in localStorage, where the vault keeps nothing secret.
function twoFactorStep(root: HTMLElement, email: string, password: string, kdf: KdfConfig, providers: string[]): void {
  const usesAuthenticator = providers.includes('0');
  const code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
  const recovery = h('input', { type: 'checkbox', name: 'recovery' });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Continue');
  const form = h('form', { className: 'card narrow', 'aria-labelledby': 'twofactor-title' },
    h('h1', { id: 'twofactor-title' }, 'Two-step login'),
    h('p', {}, usesAuthenticator ? 'Enter the 6-digit code from your authenticator app.' : 'This account needs a second factor this vault cannot use; enter a recovery code.'),
    field(usesAuthenticator ? 'Authenticator code' : 'Recovery code', code),
    h('div', { className: 'check' }, recovery, h('label', { for: (recovery.id = 'use-recovery') }, 'Use a recovery code instead')),
    status,
    h('div', { className: 'actions' }, submit, h('button', { type: 'button', className: 'secondary', onclick: () => loginScreen(root) }, 'Cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    replace(status, message('info', 'Checking…'));
    try {
      const provider = recovery.checked || !usesAuthenticator ? '8' : '0';
      await vault.login(email, password, kdf, { provider, token: code.value.replace(/\s/g, ''), remember: false });
      go('/vault');
    } catch (err) {
      replace(status, message('error', errorText(err)));
      submit.disabled = false;
      code.select();
    }
  });
  replace(root, form);
  code.focus();
}
