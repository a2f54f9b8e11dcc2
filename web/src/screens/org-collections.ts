import { errorText, field, h, message, replace } from '../dom';
import type { GroupResponse, MemberDetails } from '../models';
import { vault } from '../vault';
import { accessEditor } from './access';
import { deleteButton, loadCollections, memberName, type OrgContext } from './org-context';

/** Collections (organizations doc §5): add, rename, delete, and who may reach each, member by member and by group. */
export async function orgCollectionsTab(root: HTMLElement, orgId: string): Promise<void> {
  let collections: OrgContext['collections'];
  let members: MemberDetails[] = [];
  let groups: GroupResponse[] = [];
  try {
    collections = await loadCollections(orgId);
    // Only managers see members and groups; a member without that right still sees and renames what they manage.
    [members, groups] = await Promise.all([vault.orgApi.members(orgId).catch(() => []), vault.orgApi.groups(orgId).catch(() => [])]);
  } catch (err) {
    replace(root, h('h2', {}, 'Collections'), message('error', errorText(err)));
    return;
  }
  const status = h('div', { 'aria-live': 'polite', className: 'status' });
  const panel = h('div', {});
  const memberTargets = members.map((m) => ({ id: m.id, name: memberName(m) }));
  const groupTargets = groups.map((g) => ({ id: g.id, name: `Group ${g.name}` }));

  const done = async (text: string) => {
    await vault.sync();
    await orgCollectionsTab(root, orgId);
    replace(root.querySelector('.status')!, message('info', text));
  };

  function editor(existing: OrgContext['collections'][number] | null) {
    const name = h('input', { type: 'text', name: 'collectionName', required: true, value: existing?.name ?? '' });
    const users = accessEditor('Member access', memberTargets, existing?.users ?? []);
    const groupAccess = accessEditor('Group access', groupTargets, existing?.groups ?? []);
    const error = h('div', { 'aria-live': 'polite' });
    const form = h('form', { className: 'card', 'aria-labelledby': 'collection-title' },
      h('h2', { id: 'collection-title' }, existing ? `Edit ${existing.name}` : 'New collection'),
      field('Collection name', name), members.length ? users.element : null, groups.length ? groupAccess.element : null, error,
      h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Save collection'), h('button', { type: 'button', className: 'secondary', onclick: () => replace(panel) }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const body = {
          name: await vault.encryptForOrg(orgId, name.value.trim()),
          // null leaves an association as it is (upstream semantics, §5.1) when this caller cannot list it.
          users: members.length ? users.read() : null,
          groups: groups.length ? groupAccess.read() : null,
        };
        if (existing) await vault.orgApi.updateCollection(orgId, existing.id, body);
        else await vault.orgApi.createCollection(orgId, body);
        await done(`Saved the collection ${name.value.trim()}.`);
      } catch (err) {
        replace(error, message('error', errorText(err)));
      }
    });
    replace(panel, form);
    name.focus();
  }

  replace(root,
    h('h2', {}, 'Collections'),
    status,
    h('ul', { className: 'collections', 'aria-label': 'Collections' }, collections.map((c) =>
      h('li', {}, h('span', { className: 'name' }, c.name), ' ',
        h('span', { className: 'meta' }, `${(c.users ?? []).length} members, ${(c.groups ?? []).length} groups`), ' ',
        h('a', { href: `#/vault?org=${orgId}&collection=${c.id}` }, 'Items'), ' ',
        h('button', { type: 'button', className: 'small secondary', 'aria-label': `Edit ${c.name}`, onclick: () => editor(c) }, 'Edit'),
        deleteButton(c.name, `Delete the collection ${c.name}? Its items stay in the organization.`, status,
          () => vault.orgApi.deleteCollection(orgId, c.id), () => done(`Deleted the collection ${c.name}.`))))),
    h('div', { className: 'actions' }, h('button', { type: 'button', onclick: () => editor(null) }, 'New collection')),
    panel);
}
