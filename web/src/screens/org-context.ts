import { errorText, h, message, replace } from '../dom';
import type { MemberDetails } from '../models';
import { vault } from '../vault';

/** An organization's collections with their names decrypted under its key, and its members, for the org screens. */
export interface OrgContext {
  id: string;
  name: string;
  collections: { id: string; name: string; users: MemberDetails['collections']; groups: MemberDetails['collections'] }[];
}

export async function loadCollections(orgId: string): Promise<OrgContext['collections']> {
  const list = await vault.orgApi.collections(orgId);
  const named = await Promise.all(list.map(async (c) => ({
    id: c.id, name: await vault.decryptForOrg(orgId, c.name).catch(() => '[cannot decrypt]'), users: c.users ?? [], groups: c.groups ?? [],
  })));
  return named.sort((a, b) => a.name.localeCompare(b.name));
}

export const TYPE_NAMES: Record<number, string> = { 0: 'Owner', 1: 'Admin', 2: 'User', 4: 'Custom' };
export const STATUS_NAMES: Record<number, string> = { [-1]: 'Revoked', 0: 'Invited', 1: 'Accepted', 2: 'Confirmed' };

export function memberName(m: MemberDetails): string {
  return m.name ? `${m.name} <${m.email}>` : m.email;
}

/** A "Delete" button that asks first, runs `action`, then `done`; a refusal shows in `status`. */
export function deleteButton(name: string, question: string, status: HTMLElement, action: () => Promise<unknown>, done: () => Promise<void>): HTMLButtonElement {
  return h('button', { type: 'button', className: 'small danger', 'aria-label': `Delete ${name}`, onclick: async () => {
    if (!confirm(question)) return;
    try {
      await action();
      await done();
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  } }, 'Delete');
}
