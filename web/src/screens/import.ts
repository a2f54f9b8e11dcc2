import { errorText, field, h, message, replace } from '../dom';
import { importFile, isPasswordProtected, type ImportFormat } from '../importers';
import { vault } from '../vault';

/** Import: Bitwarden JSON (plain or password-protected) and CSV, Chrome and Firefox CSV. */
export function importScreen(root: HTMLElement): void {
  const format = h('select', { name: 'format' },
    h('option', { value: 'bitwarden-json' }, 'Bitwarden (json)'),
    h('option', { value: 'bitwarden-csv' }, 'Bitwarden (csv)'),
    h('option', { value: 'chrome-csv' }, 'Chrome (csv)'),
    h('option', { value: 'firefox-csv' }, 'Firefox (csv)'));
  const file = h('input', { type: 'file', name: 'file', accept: '.json,.csv,text/csv,application/json' });
  const pasted = h('textarea', { name: 'contents', rows: '6' });
  const password = h('input', { type: 'password', name: 'filePassword', autocomplete: 'off' });
  const passwordField = field('File password', password, 'Only for password-protected Bitwarden exports.');
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Import items');
  const form = h('form', { className: 'card' },
    field('File format', format), field('File to import', file), field('Or paste the file contents', pasted), passwordField, status, submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const content = file.files?.[0] ? await file.files[0].text() : pasted.value;
      if (!content.trim()) throw new Error('Choose a file or paste its contents.');
      if (format.value === 'bitwarden-json' && isPasswordProtected(content) && !password.value) throw new Error('This export is password protected: enter its password.');
      replace(status, message('info', 'Reading…'));
      const parsed = await importFile(format.value as ImportFormat, content, password.value);
      if (parsed.items.length === 0) throw new Error('The file holds no items.');
      replace(status, message('info', `Encrypting ${parsed.items.length} items…`));
      const ciphers = await vault.encryptForImport(parsed.items);
      const folders = await Promise.all(parsed.folders.map(async (name) => ({ name: await vault.encrypt(name) })));
      const folderRelationships = parsed.items.flatMap((item, key) => (parsed.folderIndex.has(item) ? [{ key, value: parsed.folderIndex.get(item)! }] : []));
      await vault.api.importCiphers({ ciphers, folders, folderRelationships });
      await vault.sync();
      replace(status, message('info', `Imported ${parsed.items.length} ${parsed.items.length === 1 ? 'item' : 'items'} and ${parsed.folders.length} ${parsed.folders.length === 1 ? 'folder' : 'folders'}.`));
      form.reset();
    } catch (err) {
      replace(status, message('error', errorText(err)));
    } finally {
      submit.disabled = false;
    }
  });
  replace(root, h('h1', {}, 'Import'), form);
}
