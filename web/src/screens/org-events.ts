import { errorText, h, message, replace } from '../dom';
import type { EventResponse, MemberDetails } from '../models';
import { vault } from '../vault';
import { memberName } from './org-context';

/** Bitwarden's organization event numbers (src/Coffer.Server/Audit/EventType.cs) and Coffer's own 93xx. */
const EVENTS: Record<number, string> = {
  1100: 'Item created', 1101: 'Item edited', 1102: 'Item deleted for good', 1105: 'Item moved into the organization',
  1106: 'Item collections changed', 1107: 'Item viewed', 1115: 'Item moved to trash', 1116: 'Item restored',
  1300: 'Collection created', 1301: 'Collection edited', 1302: 'Collection deleted',
  1400: 'Group created', 1401: 'Group edited', 1402: 'Group deleted',
  1500: 'Member invited', 1501: 'Member confirmed', 1502: 'Member edited', 1503: 'Member removed', 1504: 'Member groups changed',
  1511: 'Member revoked', 1512: 'Member restored', 1516: 'Member left',
  1600: 'Organization edited', 1601: 'Organization vault purged', 1602: 'Organization vault exported', 1700: 'Policy changed',
  9300: 'Organization created', 9301: 'Organization deleted', 9302: 'Items imported into the organization',
};

/** The organization's event log of the last 30 days (GET /api/organizations/{id}/events). */
export async function orgEventsTab(root: HTMLElement, orgId: string): Promise<void> {
  const end = new Date();
  const start = new Date(end.getTime() - 30 * 24 * 3600 * 1000);
  let events: EventResponse[];
  let members: MemberDetails[];
  try {
    [events, members] = await Promise.all([vault.orgApi.events(orgId, start.toISOString(), end.toISOString()), vault.orgApi.members(orgId).catch(() => [])]);
  } catch (err) {
    replace(root, h('h2', {}, 'Events'), message('error', errorText(err)));
    return;
  }
  const byUser = new Map(members.filter((m) => m.userId).map((m) => [m.userId!, memberName(m)]));
  const byMember = new Map(members.map((m) => [m.id, memberName(m)]));
  replace(root,
    h('h2', {}, 'Events'),
    h('p', { className: 'meta' }, `The last 30 days: ${events.length} ${events.length === 1 ? 'event' : 'events'}.`),
    h('div', { className: 'table-scroll' }, h('table', { className: 'events', 'aria-label': 'Events' },
      h('thead', {}, h('tr', {}, ['When', 'Event', 'By', 'Member'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, events.map((e) => h('tr', {},
        h('td', {}, new Date(e.date).toLocaleString()),
        h('td', {}, EVENTS[e.type] ?? `Event ${e.type}`),
        h('td', {}, e.actingUserId ? (byUser.get(e.actingUserId) ?? e.actingUserId) : ''),
        h('td', {}, e.organizationUserId ? (byMember.get(e.organizationUserId) ?? '') : '')))))));
}
