import { h, message, replace } from '../dom';
import { go } from '../router';
import { vault } from '../vault';
import { orgCollectionsTab } from './org-collections';
import { orgEventsTab } from './org-events';
import { orgGroupsTab } from './org-groups';
import { orgMembersTab } from './org-members';
import { orgPoliciesTab } from './org-policies';
import { orgSettingsTab } from './org-settings';

const TABS: [string, string, (root: HTMLElement, orgId: string) => Promise<void>][] = [
  ['members', 'Members', orgMembersTab],
  ['collections', 'Collections', orgCollectionsTab],
  ['groups', 'Groups', orgGroupsTab],
  ['policies', 'Policies', orgPoliciesTab],
  ['events', 'Events', orgEventsTab],
  ['settings', 'Settings', orgSettingsTab],
];

/** One organization (#/org/<id>/<tab>): its name, the tab links, and the tab's own module below. */
export async function orgScreen(root: HTMLElement, orgId: string, tab: string): Promise<void> {
  const org = vault.organizations.find((o) => o.id === orgId);
  if (!org) {
    replace(root, h('h1', {}, 'Organization not found'), message('error', 'You are not a confirmed member of this organization.'), h('a', { href: '#/orgs' }, 'Organizations'));
    return;
  }
  const current = TABS.find(([name]) => name === tab);
  if (!current) return go(`/org/${orgId}/members`);
  const body = h('section', { 'aria-label': current[1] });
  replace(root,
    h('p', {}, h('a', { href: '#/orgs' }, '← Organizations')),
    h('h1', {}, org.name),
    h('nav', { 'aria-label': 'Organization', className: 'tabs' }, h('ul', {}, TABS.map(([name, label]) =>
      h('li', {}, h('a', { href: `#/org/${orgId}/${name}`, 'aria-current': name === tab ? 'page' : null }, label))))),
    body);
  await current[2](body, orgId);
}
