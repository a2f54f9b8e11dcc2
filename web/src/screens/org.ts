import { h, message, replace } from '../dom';
import { go } from '../router';
import { MemberType, type OrganizationView, type Permissions } from '../models';
import { vault } from '../vault';
import { orgCollectionsTab } from './org-collections';
import { orgEventsTab } from './org-events';
import { orgGroupsTab } from './org-groups';
import { orgMembersTab } from './org-members';
import { orgPoliciesTab } from './org-policies';
import { orgSettingsTab } from './org-settings';

type Tab = [name: string, label: string, show: (o: OrganizationView) => boolean, draw: (root: HTMLElement, orgId: string) => Promise<void>];

// Owners and Admins see every tab; a Custom member the tabs of the permissions they hold; a User their collections
// and the settings (leave). The server decides in the end (MemberAccess); this only spares people useless refusals.
const admin = (o: OrganizationView) => o.type === MemberType.Owner || o.type === MemberType.Admin;
const can = (permission: keyof Permissions) => (o: OrganizationView) => admin(o) || (o.type === MemberType.Custom && o.permissions[permission] === true);
const TABS: Tab[] = [
  ['members', 'Members', can('manageUsers'), orgMembersTab],
  ['collections', 'Collections', () => true, orgCollectionsTab],
  ['groups', 'Groups', can('manageGroups'), orgGroupsTab],
  ['policies', 'Policies', can('managePolicies'), orgPoliciesTab],
  ['events', 'Events', can('accessEventLogs'), orgEventsTab],
  ['settings', 'Settings', () => true, orgSettingsTab],
];

/** The first tab this member may open: where the organization list links to. */
export function firstTab(o: OrganizationView): string {
  return TABS.find(([, , show]) => show(o))![0];
}

/** One organization (#/org/<id>/<tab>): its name, the tab links, and the tab's own module below. */
export async function orgScreen(root: HTMLElement, orgId: string, tab: string): Promise<void> {
  const org = vault.organizations.find((o) => o.id === orgId);
  if (!org) {
    replace(root, h('h1', {}, 'Organization not found'), message('error', 'You are not a confirmed member of this organization.'), h('a', { href: '#/orgs' }, 'Organizations'));
    return;
  }
  const tabs = TABS.filter(([, , show]) => show(org));
  const current = tabs.find(([name]) => name === tab);
  if (!current) return go(`/org/${orgId}/${firstTab(org)}`);
  const body = h('section', { 'aria-label': current[1] });
  replace(root,
    h('p', {}, h('a', { href: '#/orgs' }, '← Organizations')),
    h('h1', {}, org.name),
    h('nav', { 'aria-label': 'Organization', className: 'tabs' }, h('ul', {}, tabs.map(([name, label]) =>
      h('li', {}, h('a', { href: `#/org/${orgId}/${name}`, 'aria-current': name === tab ? 'page' : null }, label))))),
    body);
  await current[3](body, orgId);
}
