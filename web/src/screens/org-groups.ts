import { errorText, field, h, message, replace } from '../dom';
import type { GroupResponse, MemberDetails } from '../models';
import { vault } from '../vault';
import { accessEditor } from './access';
import { deleteButton, loadCollections, memberName, type OrgContext } from './org-context';

/** Groups (organizations doc §1.5): members and collection access given to many people at once. */
export async function orgGroupsTab(root: HTMLElement, orgId: string): Promise<void> {
  let groups: GroupResponse[];
  let members: MemberDetails[];
  let collections: OrgContext['collections'];
  try {
    [groups, members, collections] = await Promise.all([vault.orgApi.groups(orgId), vault.orgApi.members(orgId), loadCollections(orgId)]);
  } catch (err) {
    replace(root, h('h2', {}, 'Groups'), message('error', errorText(err)));
    return;
  }
  const status = h('div', { 'aria-live': 'polite', className: 'status' });
  const panel = h('div', {});
  const done = async (text: string) => {
    await orgGroupsTab(root, orgId);
    replace(root.querySelector('.status')!, message('info', text));
  };

  async function editor(existing: GroupResponse | null) {
    const inGroup = existing ? await vault.orgApi.groupMembers(orgId, existing.id).catch(() => []) : [];
    const name = h('input', { type: 'text', name: 'groupName', required: true, value: existing?.name ?? '', maxlength: '100' });
    const boxes = members.map((m) => {
      const box = h('input', { type: 'checkbox', value: m.id, id: `group-member-${m.id}`, checked: inGroup.includes(m.id) });
      return h('div', { className: 'check' }, box, h('label', { for: box.id }, memberName(m)));
    });
    const access = accessEditor('Collection access', collections, existing?.collections ?? []);
    const error = h('div', { 'aria-live': 'polite' });
    const form = h('form', { className: 'card', 'aria-labelledby': 'group-title' },
      h('h2', { id: 'group-title' }, existing ? `Edit ${existing.name}` : 'New group'),
      field('Group name', name), h('fieldset', {}, h('legend', {}, 'Members'), boxes), access.element, error,
      h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Save group'), h('button', { type: 'button', className: 'secondary', onclick: () => replace(panel) }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { name: name.value.trim(), collections: access.read(), users: [...form.querySelectorAll<HTMLInputElement>('fieldset input[type=checkbox]:checked')].map((b) => b.value) };
      try {
        if (existing) await vault.orgApi.updateGroup(orgId, existing.id, body);
        else await vault.orgApi.createGroup(orgId, body);
        await done(`Saved the group ${body.name}.`);
      } catch (err) {
        replace(error, message('error', errorText(err)));
      }
    });
    replace(panel, form);
  }

  replace(root,
    h('h2', {}, 'Groups'),
    status,
    groups.length
      ? h('ul', { className: 'groups', 'aria-label': 'Groups' }, groups.map((g) =>
          h('li', {}, h('span', { className: 'name' }, g.name), ' ', h('span', { className: 'meta' }, `${(g.collections ?? []).length} collections`), ' ',
            h('button', { type: 'button', className: 'small secondary', 'aria-label': `Edit ${g.name}`, onclick: () => void editor(g) }, 'Edit'),
            deleteButton(g.name, `Delete the group ${g.name}? Its members keep their own access.`, status,
              () => vault.orgApi.deleteGroup(orgId, g.id), () => done(`Deleted the group ${g.name}.`)))))
      : h('p', { className: 'meta' }, 'No groups yet.'),
    h('div', { className: 'actions' }, h('button', { type: 'button', onclick: () => void editor(null) }, 'New group')),
    panel);
}
