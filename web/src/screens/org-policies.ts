import { errorText, field, h, message, replace } from '../dom';
import type { PolicyResponse } from '../models';
import { vault } from '../vault';

/** The policies Coffer enforces on the server (organizations doc §1.6), with Bitwarden's type numbers. */
const POLICIES: { type: number; name: string; description: string }[] = [
  { type: 0, name: 'Require two-step login', description: 'Members without two-step login cannot join, and lose access when they turn it off.' },
  { type: 1, name: 'Master password requirements', description: 'Minimum length, complexity and character classes, checked at the next master password change.' },
  { type: 3, name: 'Single organization', description: 'Members may not belong to any other organization.' },
  { type: 5, name: 'Remove individual vault', description: 'Data ownership: members save new items into the organization, not into their own vault.' },
];

/** The master-password policy's data fields (Bitwarden's MasterPasswordPolicyData). */
const MP_BOOLEANS = [['requireUpper', 'Require upper case (A-Z)'], ['requireLower', 'Require lower case (a-z)'], ['requireNumbers', 'Require numbers (0-9)'], ['requireSpecial', 'Require special characters (!@#$%^&*)'], ['enforceOnLogin', 'Check at log in']] as const;

export async function orgPoliciesTab(root: HTMLElement, orgId: string): Promise<void> {
  let policies: PolicyResponse[];
  try {
    policies = await vault.orgApi.policies(orgId);
  } catch (err) {
    replace(root, h('h2', {}, 'Policies'), message('error', errorText(err)));
    return;
  }
  const sections = POLICIES.map((p) => {
    const stored = policies.find((s) => s.type === p.type);
    const enabled = h('input', { type: 'checkbox', id: `policy-${p.type}`, checked: stored?.enabled ?? false });
    const data = (stored?.data ?? {}) as Record<string, unknown>;
    const extra: HTMLElement[] = [];
    const readData: (() => Record<string, unknown> | null)[] = [() => null];
    if (p.type === 1) {
      const minLength = h('input', { type: 'number', min: '0', max: '128', name: 'minLength', value: String(data.minLength ?? '') });
      const minComplexity = h('select', { name: 'minComplexity' }, ['', '0', '1', '2', '3', '4'].map((v) => h('option', { value: v }, v ? `Strength score ${v}` : 'No minimum strength')));
      minComplexity.value = data.minComplexity == null ? '' : String(data.minComplexity);
      const boxes = MP_BOOLEANS.map(([key, label]) => {
        const box = h('input', { type: 'checkbox', id: `mp-${key}`, checked: data[key] === true });
        extra.push(h('div', { className: 'check' }, box, h('label', { for: box.id }, label)));
        return [key, box] as const;
      });
      extra.unshift(field('Minimum length', minLength), field('Minimum strength', minComplexity));
      readData[0] = () => ({
        minLength: minLength.value ? Number(minLength.value) : null,
        minComplexity: minComplexity.value ? Number(minComplexity.value) : null,
        ...Object.fromEntries(boxes.map(([key, box]) => [key, box.checked])),
      });
    }
    const status = h('div', { 'aria-live': 'polite' });
    const form = h('form', { className: 'card', 'aria-labelledby': `policy-title-${p.type}` },
      h('h3', { id: `policy-title-${p.type}` }, p.name), h('p', { className: 'meta' }, p.description),
      h('div', { className: 'check' }, enabled, h('label', { for: enabled.id }, `Turn on: ${p.name}`)), extra, status,
      h('div', { className: 'actions' }, h('button', { type: 'submit', 'aria-label': `Save ${p.name}` }, 'Save')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await vault.orgApi.savePolicy(orgId, p.type, enabled.checked, readData[0]!());
        replace(status, message('info', `Saved: ${p.name} is ${enabled.checked ? 'on' : 'off'}.`));
      } catch (err) {
        replace(status, message('error', errorText(err)));
      }
    });
    return form;
  });
  replace(root, h('h2', {}, 'Policies'), sections);
}
