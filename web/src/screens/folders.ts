import { errorText, field, h, message, replace } from '../dom';
import { vault } from '../vault';

/** Folders: add, rename, delete (a deleted folder's items stay, with no folder). */
export function foldersScreen(root: HTMLElement): void {
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('ul', { className: 'folders', 'aria-label': 'Folders' });
  const name = h('input', { type: 'text', name: 'folderName', required: true, maxlength: '200' });
  const add = h('form', { className: 'inline' }, field('New folder name', name), h('button', { type: 'submit' }, 'Add folder'));

  const run = async (action: () => Promise<void>, done: string) => {
    try {
      await action();
      draw();
      replace(status, message('info', done));
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  };

  function draw(): void {
    replace(list, vault.folders.length === 0 ? h('li', { className: 'empty' }, 'No folders yet.') : vault.folders.map((f) => {
      const count = vault.entries.filter((e) => e.folderId === f.id && !e.deleted).length;
      const rename = h('input', { type: 'text', name: 'rename', value: f.name, 'aria-label': `New name for ${f.name}`, required: true });
      const form = h('form', { className: 'inline' }, rename, h('button', { type: 'submit', className: 'small', 'aria-label': `Rename ${f.name}` }, 'Rename'));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        void run(() => vault.saveFolder(f.id, rename.value.trim()), 'Folder renamed.');
      });
      return h('li', {},
        h('a', { href: `#/vault?folder=${f.id}` }, f.name), h('span', { className: 'meta' }, ` ${count} ${count === 1 ? 'item' : 'items'}`),
        form,
        h('button', { type: 'button', className: 'small danger', 'aria-label': `Delete ${f.name}`, onclick: () => confirm(`Delete the folder ${f.name}? Its items stay in the vault.`) && void run(() => vault.deleteFolder(f.id), 'Folder deleted.') }, 'Delete'));
    }));
  }

  add.addEventListener('submit', (e) => {
    e.preventDefault();
    void run(async () => {
      await vault.saveFolder(null, name.value.trim());
      name.value = '';
    }, 'Folder added.');
  });
  replace(root, h('h1', {}, 'Folders'), add, status, list);
  draw();
}
