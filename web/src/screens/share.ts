import { errorText, field, h, message, replace } from '../dom';
import { go } from '../router';
import { vault } from '../vault';
import { collectionPicker } from './collection-picker';

/**
 * "Move to organization": a personal item re-encrypted under an organization's key and filed into collections
 * (organizations doc §2.6). There is no way back but a copy, so the screen says so.
 */
export async function shareScreen(root: HTMLElement, id: string): Promise<void> {
  let name: string;
  try {
    const item = await vault.item(id);
    if (item.organizationId) return go(`/collections/${id}`);
    name = item.name;
  } catch (err) {
    replace(root, h('h1', {}, 'Item not found'), message('error', errorText(err)));
    return;
  }
  const org = h('select', { name: 'organization' }, vault.organizations.map((o) => h('option', { value: o.id }, o.name)));
  const pickerSlot = h('div', {});
  let picker = collectionPicker(org.value);
  const draw = () => {
    picker = collectionPicker(org.value);
    replace(pickerSlot, picker.element);
  };
  org.addEventListener('change', draw);
  draw();
  const status = h('div', { 'aria-live': 'polite' });
  const move = h('button', { type: 'submit' }, 'Move');
  const form = h('form', { className: 'card', 'aria-labelledby': 'share-title' },
    h('h1', { id: 'share-title' }, 'Move to organization'),
    h('p', {}, `“${name || '(no name)'}” moves into the organization's vault: its members with access to the chosen collections will see it, and it leaves your own vault.`),
    field('Organization', org), pickerSlot, status,
    h('div', { className: 'actions' }, move, h('button', { type: 'button', className: 'secondary', onclick: () => go(`/item/${id}`) }, 'Cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    move.disabled = true;
    replace(status, message('info', 'Moving…'));
    try {
      await vault.shareItem(id, org.value, picker.selected());
      go(`/item/${id}`);
    } catch (err) {
      replace(status, message('error', errorText(err)));
      move.disabled = false;
    }
  });
  replace(root, vault.organizations.length ? form : h('div', {}, h('h1', {}, 'Move to organization'), message('info', 'You are not a member of any organization yet.')));
}
