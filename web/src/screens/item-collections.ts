import { errorText, h, message, replace } from '../dom';
import { go } from '../router';
import { vault } from '../vault';
import { collectionPicker } from './collection-picker';

/**
 * The collections of an organization item (PUT collections_v2, organizations doc §6.2). Hide-passwords access may
 * not re-file items (§9.3); the server refuses too.
 */
export async function itemCollectionsScreen(root: HTMLElement, id: string): Promise<void> {
  let item;
  try {
    item = await vault.item(id);
  } catch (err) {
    replace(root, h('h1', {}, 'Item not found'), message('error', errorText(err)));
    return;
  }
  if (!item.organizationId) return go(`/share/${id}`);
  if (!item.viewPassword) {
    replace(root, h('h1', {}, 'Collections'), message('error', 'Your access to this item does not allow changing its collections.'), h('a', { href: `#/item/${id}` }, 'Back to the item'));
    return;
  }
  const picker = collectionPicker(item.organizationId, item.collectionIds);
  const status = h('div', { 'aria-live': 'polite' });
  const save = h('button', { type: 'submit' }, 'Save');
  const form = h('form', { className: 'card', 'aria-labelledby': 'collections-title' },
    h('h1', { id: 'collections-title' }, 'Collections'),
    h('p', {}, item.name || '(no name)'),
    picker.element, status,
    h('div', { className: 'actions' }, save, h('button', { type: 'button', className: 'secondary', onclick: () => go(`/item/${id}`) }, 'Cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      go((await vault.setItemCollections(id, picker.selected())) ? `/item/${id}` : '/vault');
    } catch (err) {
      replace(status, message('error', errorText(err)));
      save.disabled = false;
    }
  });
  replace(root, form);
}
