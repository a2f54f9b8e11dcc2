import { h } from '../dom';
import type { Selection } from '../models';

/** The access levels the official clients offer, as the three flags of a collection access row (§1.3). */
export const LEVELS = [
  ['', 'No access'],
  ['view', 'Can view'],
  ['view-except', 'Can view, except passwords'],
  ['edit', 'Can edit'],
  ['edit-except', 'Can edit, except passwords'],
  ['manage', 'Can manage'],
] as const;
export type Level = (typeof LEVELS)[number][0];

export function levelOf(s: { readOnly: boolean; hidePasswords: boolean; manage: boolean } | undefined | null): Level {
  if (!s) return '';
  if (s.manage) return 'manage';
  if (s.readOnly) return s.hidePasswords ? 'view-except' : 'view';
  return s.hidePasswords ? 'edit-except' : 'edit';
}

export function selectionOf(id: string, level: Level): Selection | null {
  if (!level) return null;
  return { id, readOnly: level === 'view' || level === 'view-except', hidePasswords: level === 'view-except' || level === 'edit-except', manage: level === 'manage' };
}

export function levelName(level: Level): string {
  return LEVELS.find(([l]) => l === level)?.[1] ?? '';
}

/**
 * One access-level select per target (collections of a member or group, or members and groups of a collection),
 * each labelled "<target name> access". `read()` gives the Selection rows of the targets with some access.
 */
export function accessEditor(legend: string, targets: { id: string; name: string }[], current: Selection[]): { element: HTMLFieldSetElement; read: () => Selection[] } {
  const selects = targets.map((t) => {
    const select = h('select', { id: `access-${t.id}`, 'aria-label': `${t.name} access` }, LEVELS.map(([value, label]) => h('option', { value }, label)));
    select.value = levelOf(current.find((c) => c.id === t.id));
    return [t.id, select] as const;
  });
  const element = h('fieldset', { className: 'access' }, h('legend', {}, legend),
    targets.length
      ? h('table', {}, h('tbody', {}, targets.map((t, i) => h('tr', {}, h('th', { scope: 'row' }, h('label', { for: selects[i]![1].id }, t.name)), h('td', {}, selects[i]![1])))))
      : h('p', { className: 'meta' }, 'Nothing to choose from yet.'));
  const read = () => selects.map(([id, s]) => selectionOf(id, s.value as Level)).filter((s): s is Selection => s !== null);
  return { element, read };
}
