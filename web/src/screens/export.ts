import { errorText, field, h, message, replace } from '../dom';
import { download, exportEncryptedJson, exportJson } from '../exporters';
import { vault } from '../vault';

/** Export the vault as JSON or password-protected JSON; the master password is asked for first. */
export function exportScreen(root: HTMLElement): void {
  const format = h('select', { name: 'format' },
    h('option', { value: 'json' }, 'JSON'),
    h('option', { value: 'encrypted' }, 'JSON (password protected)'));
  const filePassword = h('input', { type: 'password', name: 'filePassword', autocomplete: 'new-password' });
  const fileConfirm = h('input', { type: 'password', name: 'fileConfirm', autocomplete: 'new-password' });
  const protectedFields = h('div', { hidden: true }, field('File password', filePassword, 'Needed to import the file again.'), field('Confirm file password', fileConfirm));
  const master = h('input', { type: 'password', name: 'masterPassword', autocomplete: 'current-password', required: true });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Export vault');
  format.addEventListener('change', () => (protectedFields.hidden = format.value !== 'encrypted'));
  const form = h('form', { className: 'card' },
    field('File format', format), protectedFields, field('Master password', master),
    h('p', { className: 'warning' }, 'A plain JSON export holds your passwords unencrypted. Delete it when you are done with it.'),
    status, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      await vault.verificationHash(master.value);
      const encrypted = format.value === 'encrypted';
      if (encrypted && !filePassword.value) throw new Error('Choose a file password.');
      if (encrypted && filePassword.value !== fileConfirm.value) throw new Error('The two file passwords differ.');
      replace(status, message('info', 'Preparing the export…'));
      const items = await vault.allItems();
      const content = encrypted ? await exportEncryptedJson(items, vault.folders, filePassword.value) : exportJson(items, vault.folders);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '');
      download(`coffer_export_${stamp}${encrypted ? '_encrypted' : ''}.json`, content);
      replace(status, message('info', `Exported ${items.length} ${items.length === 1 ? 'item' : 'items'}.`));
      form.reset();
      protectedFields.hidden = true;
    } catch (err) {
      replace(status, message('error', errorText(err)));
    } finally {
      submit.disabled = false;
    }
  });
  replace(root, h('h1', {}, 'Export'), form);
}
