import { h, uid } from '../dom';
import type { Permissions } from '../models';

/** The Custom member permissions Coffer honours (organizations doc §1.4; MemberAccess on the server). */
const PERMISSIONS: [keyof Permissions, string][] = [
  ['manageUsers', 'Manage members'],
  ['manageGroups', 'Manage groups'],
  ['managePolicies', 'Manage policies'],
  ['createNewCollections', 'Create collections'],
  ['editAnyCollection', 'Edit any collection'],
  ['deleteAnyCollection', 'Delete any collection'],
  ['accessEventLogs', 'Read the event log'],
  ['accessImportExport', 'Import and export'],
];

/**
 * A member type select with the permission checkboxes a Custom member needs, shown only while "Custom" is chosen.
 * `read()` gives the type and, for Custom, the permissions object (null otherwise).
 */
export function memberTypeEditor(type: number, current: Partial<Permissions> | null | undefined): { elements: HTMLElement[]; read: () => { type: number; permissions: Partial<Permissions> | null } } {
  const select = h('select', { name: 'type', id: uid('member-type') },
    [[2, 'User'], [1, 'Admin'], [0, 'Owner'], [4, 'Custom']].map(([value, label]) => h('option', { value: String(value) }, String(label))));
  select.value = String(type);
  const boxes = PERMISSIONS.map(([key, label]) => {
    const box = h('input', { type: 'checkbox', id: `${select.id}-${key}`, checked: current?.[key] === true });
    return [key, box, h('div', { className: 'check' }, box, h('label', { for: box.id }, label))] as const;
  });
  const fieldset = h('fieldset', {}, h('legend', {}, 'Custom permissions'), boxes.map(([, , row]) => row));
  const sync = () => (fieldset.hidden = select.value !== '4');
  select.addEventListener('change', sync);
  sync();
  const label = h('div', { className: 'field' }, h('label', { for: select.id }, 'Member type'), select);
  return {
    elements: [label, fieldset],
    read: () => ({
      type: Number(select.value),
      permissions: select.value === '4' ? Object.fromEntries(boxes.map(([key, box]) => [key, box.checked])) : null,
    }),
  };
}
