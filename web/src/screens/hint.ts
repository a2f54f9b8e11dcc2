import { normalizeSalt } from '../crypto';
import { errorText, field, h, message, replace } from '../dom';
import { vault } from '../vault';

/**
 * "Get your master password hint": the server mails the hint to the account's address when it has one, and answers
 * the same for every address, so this screen says the same thing whatever happened (POST /api/accounts/password-hint).
 */
export function hintScreen(root: HTMLElement): void {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, value: localStorage.getItem('coffer.email') ?? '' });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Send the hint');
  const form = h('form', { className: 'card narrow', 'aria-labelledby': 'hint-title' },
    h('h1', { id: 'hint-title' }, 'Master password hint'),
    h('p', {}, 'Enter your account\'s e-mail address. If the account has a hint, it is mailed there.'),
    field('Email address', email),
    status,
    submit,
    h('p', {}, h('a', { href: '#/login' }, 'Back to log in')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      await vault.api.passwordHint(normalizeSalt(email.value));
      replace(status, message('info', 'If an account with this address has a hint, it is on its way to that mailbox.'));
    } catch (err) {
      replace(status, message('error', errorText(err)));
    } finally {
      submit.disabled = false;
    }
  });
  replace(root, form);
  email.focus();
}
