import { TwoFactorRequired } from '../api';
import { loginHash, type KdfConfig } from '../crypto';
import { errorText, field, h, message, replace } from '../dom';
import { go } from '../router';
import { vault } from '../vault';
import { handleUnsafe } from './unsafe';
import { assertionJson, getAssertion, requestOptions, webAuthnAvailable, type JsonOptions } from '../webauthn';

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
    h('p', {}, 'New here? ', h('a', { href: '#/register' }, 'Create account')),
    webAuthnAvailable() ? passkeyButton(status) : null);

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
        twoFactorStep(root, email.value, password.value, kdf, err);
        return;
      }
      // A refusal (malicious-server doc BW03, BW07, BW11, BW12): the dialog, then the login form again.
      if (handleUnsafe(err)) return;
      replace(status, message('error', errorText(err)));
      submit.disabled = false;
    }
  });
  replace(root, form);
  (email.value ? password : email).focus();
}

/**
 * "Log in with passkey" (sharing doc §5.6): no e-mail, no master password. A PRF passkey opens the vault; any other
 * passkey logs in and the lock screen asks for the master password.
 */
function passkeyButton(status: HTMLElement): HTMLElement {
  const button = h('button', { type: 'button', className: 'secondary' }, 'Log in with passkey');
  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(status, message('info', 'Waiting for your passkey…'));
    try {
      go((await vault.loginWithPasskey()) ? '/vault' : '/lock');
    } catch (err) {
      if (handleUnsafe(err)) return;
      replace(status, message('error', errorText(err)));
      button.disabled = false;
    }
  });
  return h('div', { className: 'actions' }, button);
}

const PROVIDER_NAMES: Record<string, string> = { '0': 'Authenticator app', '1': 'E-mail code', '7': 'Security key', '8': 'Recovery code' };

// No "remember this device": the server's remember token skips the second factor, and a token that must
// outlive the tab would have to sit in localStorage, where the vault keeps nothing secret.
function twoFactorStep(root: HTMLElement, email: string, password: string, kdf: KdfConfig, required: TwoFactorRequired): void {
  // Security keys need WebAuthn in this browser; the recovery code always works.
  const usable = required.providers.filter((p) => p === '0' || p === '1' || (p === '7' && webAuthnAvailable()));
  const choices = [...usable, '8'];
  const provider = h('select', { name: 'provider' }, choices.map((p) => h('option', { value: p }, PROVIDER_NAMES[p])));
  const code = h('input', { type: 'text', name: 'code', autocomplete: 'one-time-code' });
  const codeField = field('Code', code);
  const explain = h('p', {});
  const resend = h('button', { type: 'button', className: 'secondary' }, 'Send the code again');
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Continue');
  const form = h('form', { className: 'card narrow', 'aria-labelledby': 'twofactor-title' },
    h('h1', { id: 'twofactor-title' }, 'Two-step login'),
    choices.length > 1 ? field('Method', provider) : null,
    explain, codeField, status,
    h('div', { className: 'actions' }, submit, resend, h('button', { type: 'button', className: 'secondary', onclick: () => loginScreen(root) }, 'Cancel')));
  const show = () => {
    const p = provider.value;
    const masked = (required.details['1'] as { Email?: string } | null | undefined)?.Email;
    explain.textContent = p === '0' ? 'Enter the 6-digit code from your authenticator app.'
      : p === '1' ? `Enter the code mailed to ${masked ?? 'your address'}.`
      : p === '7' ? 'Use your security key when the browser asks for it.'
      : 'Enter your recovery code: it turns two-step login off.';
    codeField.querySelector('label')!.textContent = p === '0' ? 'Authenticator code' : p === '1' ? 'E-mail code' : 'Recovery code';
    codeField.hidden = p === '7';
    code.required = p !== '7';
    code.inputMode = p === '8' ? 'text' : 'numeric';
    resend.hidden = p !== '1';
  };
  provider.addEventListener('change', show);
  provider.value = choices[0]!;
  show();
  resend.addEventListener('click', async () => {
    try {
      await vault.api.sendEmailLoginCode(email.trim(), await loginHash(password, email, kdf));
      replace(status, message('info', 'A new code is on its way.'));
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    replace(status, message('info', 'Checking…'));
    try {
      let token = code.value.replace(/\s/g, '');
      if (provider.value === '7') {
        const { credential } = await getAssertion(requestOptions(required.details['7'] as JsonOptions));
        token = JSON.stringify(assertionJson(credential));
      }
      await vault.login(email, password, kdf, { provider: provider.value, token, remember: false });
      go('/vault');
    } catch (err) {
      if (err instanceof TwoFactorRequired) {
        // A security key's challenge is single use: a failed try needs the fresh one the server just sent.
        required = err;
      }
      if (handleUnsafe(err)) return;
      replace(status, message('error', err instanceof TwoFactorRequired ? 'Two-step token is invalid. Try again.' : errorText(err)));
      submit.disabled = false;
      code.select();
    }
  });
  replace(root, form);
  (codeField.hidden ? submit : code).focus();
}
