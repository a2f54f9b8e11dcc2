import { h } from '../dom';
import type { CollectionView } from '../models';
import { vault } from '../vault';

/**
 * Checkboxes for an organization's collections that the caller can put items into (not read-only, or managed:
 * organizations doc §8, the clients' canEditItems), labelled by the collection names. `selected()` reads the ids.
 */
export function collectionPicker(organizationId: string, checked: string[] = []): { element: HTMLFieldSetElement; selected: () => string[]; count: number } {
  const writable = (c: CollectionView) => c.organizationId === organizationId && (!c.readOnly || c.manage);
  const choices = vault.collections.filter(writable);
  const element = h('fieldset', { className: 'collections' }, h('legend', {}, 'Collections'),
    choices.length ? choices.map((c) => {
      const box = h('input', { type: 'checkbox', value: c.id, id: `collection-${c.id}`, checked: checked.includes(c.id) });
      return h('div', { className: 'check' }, box, h('label', { for: box.id }, c.name));
    }) : h('p', { className: 'meta' }, 'You cannot add items to any collection of this organization.'));
  // Collections the item is in but the caller cannot file into stay as they are: the server refuses removing them.
  const kept = checked.filter((id) => !choices.some((c) => c.id === id));
  const selected = () => [...kept, ...[...element.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((c) => c.value)];
  return { element, selected, count: choices.length };
}
