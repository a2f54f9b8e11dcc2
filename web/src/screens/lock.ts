import { errorText, field, h, message, replace } from '../dom';
import { go } from '../router';
import { vault } from '../vault';
import { handleUnsafe } from './unsafe';

/** The vault is locked: the keys are gone, the session is not. The master password opens it again. */
export function lockScreen(root: HTMLElement): void {
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Unlock');
  const form = h('form', { className: 'card narrow', 'aria-labelledby': 'lock-title' },
    h('h1', { id: 'lock-title' }, 'Your vault is locked'),
    h('p', {}, `Logged in as ${vault.email}.`),
    field('Master password', password),
    status,
    h('div', { className: 'actions' }, submit,
      h('button', { type: 'button', className: 'secondary', onclick: () => { vault.forget(); go('/login'); } }, 'Log out')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    replace(status, message('info', 'Unlocking…'));
    try {
      await vault.unlock(password.value);
      go('/vault');
    } catch (err) {
      if (handleUnsafe(err)) return;
      replace(status, message('error', errorText(err)));
      submit.disabled = false;
      password.select();
    }
  });
  replace(root, form);
  password.focus();
}
