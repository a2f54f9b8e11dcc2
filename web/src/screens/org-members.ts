import { rewrapOrgKey } from '../crypto';
import { errorText, field, h, message, replace } from '../dom';
import { MemberStatus, MemberType, type MemberDetails } from '../models';
import { vault } from '../vault';
import { accessEditor, levelName, levelOf } from './access';
import { phraseOf } from './fingerprint';
import { checkPersonKey, pinPersonKey } from '../orgguard';
import { handleUnsafe } from './unsafe';
import { memberTypeEditor } from './permissions';
import { loadCollections, memberName, STATUS_NAMES, TYPE_NAMES, type OrgContext } from './org-context';


/**
 * Members (organizations doc §4): invite by e-mail with a type and collection access (the invitation link shown,
 * as no e-mail is sent), confirm an accepted member after comparing their fingerprint phrase, change type and
 * access, revoke, restore, remove.
 */
export async function orgMembersTab(root: HTMLElement, orgId: string): Promise<void> {
  const status = h('div', { 'aria-live': 'polite', className: 'status' });
  let members: MemberDetails[];
  let collections: OrgContext['collections'];
  try {
    [members, collections] = await Promise.all([vault.orgApi.members(orgId), loadCollections(orgId)]);
  } catch (err) {
    replace(root, h('h2', {}, 'Members'), message('error', errorText(err)));
    return;
  }
  const reload = () => orgMembersTab(root, orgId);
  const act = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      await reload();
      replace(root.querySelector('.status') ?? status, message('info', done));
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  };

  // ---------- invite ----------
  const email = h('input', { type: 'email', name: 'inviteEmail', required: true, autocomplete: 'off' });
  const inviteType = memberTypeEditor(MemberType.User, null);
  const inviteAccess = accessEditor('Collection access', collections, []);
  const inviteResult = h('div', { 'aria-live': 'polite' });
  const invite = h('form', { className: 'card', 'aria-labelledby': 'invite-title' },
    h('h2', { id: 'invite-title' }, 'Invite a member'),
    field('Member e-mail', email), inviteType.elements, inviteAccess.element, inviteResult,
    h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Invite')));
  invite.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const sent = await vault.orgApi.invite(orgId, email.value.trim(), { ...inviteType.read(), collections: inviteAccess.read(), groups: [] });
      await reload();
      const links = sent.filter((s) => s.invitationUrl);
      replace(root.querySelector('.status') ?? status,
        message('info', `Invited ${email.value.trim()}.${links.length ? ' Pass the invitation link on yourself (Coffer sends no e-mail):' : ''}`),
        links.map((s) => field('Invitation link', h('input', { type: 'text', readonly: true, value: s.invitationUrl!, 'data-testid': 'invitation-link' }))));
    } catch (err) {
      replace(inviteResult, message('error', errorText(err)));
    }
  });

  // ---------- one member's panel: confirm, edit ----------
  const panel = h('div', {});
  async function startConfirm(m: MemberDetails) {
    replace(panel, message('info', 'Fetching the member’s public key…'));
    try {
      if (!m.userId) throw new Error('This invitation has not been accepted yet.');
      const userId = m.userId;
      const { publicKey } = await vault.orgApi.userPublicKey(userId);
      // A key other than the one confirmed for this person before is the server's, not theirs (confirm-pk-swap).
      await checkPersonKey(vault.email, userId, publicKey, 'confirm-pk-swap', m.email);
      const phrase = await phraseOf(userId, publicKey);
      const compared = h('input', { type: 'checkbox', name: 'phraseCompared' });
      const yes = h('button', { type: 'button', disabled: true }, 'Confirm member');
      compared.addEventListener('change', () => (yes.disabled = !compared.checked));
      yes.addEventListener('click', () => {
        if (!compared.checked) return;
        yes.disabled = true;
        void act(async () => {
          const own = vault.orgKeyMaterial(orgId);
          await pinPersonKey(vault.email, userId, publicKey, 'org-member');
          await vault.orgApi.confirm(orgId, m.id, await rewrapOrgKey(own.wrapped, own.privateKey, publicKey));
        }, `${m.email} is confirmed.`);
      });
      replace(panel, h('div', { className: 'card', role: 'region', 'aria-labelledby': 'confirm-title' },
        h('h2', { id: 'confirm-title' }, `Confirm ${m.email}`),
        h('p', {}, 'Ask the member for the fingerprint phrase their client shows for their account, over a channel this server does not carry (in person, a call). Confirm only if it is the same:'),
        h('p', { className: 'fingerprint', 'data-testid': 'fingerprint-phrase' }, phrase),
        h('div', { className: 'field checkbox' }, h('label', {}, compared, ` ${m.email} read me the same phrase`)),
        h('div', { className: 'actions' }, yes, h('button', { type: 'button', className: 'secondary', onclick: () => replace(panel) }, 'Cancel'))));
    } catch (err) {
      if (handleUnsafe(err)) return;
      replace(panel, message('error', errorText(err)));
    }
  }

  function startEdit(m: MemberDetails) {
    const type = memberTypeEditor(m.type, m.permissions);
    const access = accessEditor('Collection access', collections, m.collections ?? []);
    const form = h('form', { className: 'card', 'aria-labelledby': 'edit-member-title' },
      h('h2', { id: 'edit-member-title' }, `Access of ${m.email}`), type.elements, access.element,
      h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Save access'), h('button', { type: 'button', className: 'secondary', onclick: () => replace(panel) }, 'Cancel')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void act(() => vault.orgApi.updateMember(orgId, m.id, { ...type.read(), collections: access.read(), groups: m.groups ?? [] }), `Saved the access of ${m.email}.`);
    });
    replace(panel, form);
  }

  const collectionName = (id: string) => collections.find((c) => c.id === id)?.name ?? '?';
  const rows = members.map((m) => {
    const revoked = m.status === MemberStatus.Revoked;
    return h('tr', {},
      h('th', { scope: 'row' }, memberName(m)),
      h('td', {}, TYPE_NAMES[m.type] ?? String(m.type)),
      h('td', {}, STATUS_NAMES[m.status] ?? String(m.status)),
      h('td', {}, (m.collections ?? []).map((c) => `${collectionName(c.id)}: ${levelName(levelOf(c))}`).join('; ') || (m.type <= MemberType.Admin ? 'All collections' : '—')),
      h('td', { className: 'row-actions' },
        m.status === MemberStatus.Accepted ? h('button', { type: 'button', className: 'small', 'aria-label': `Confirm ${m.email}`, onclick: () => void startConfirm(m) }, 'Confirm') : null,
        h('button', { type: 'button', className: 'small secondary', 'aria-label': `Edit ${m.email}`, onclick: () => startEdit(m) }, 'Edit'),
        h('button', { type: 'button', className: 'small secondary', 'aria-label': `${revoked ? 'Restore' : 'Revoke'} ${m.email}`,
          onclick: () => void act(() => (revoked ? vault.orgApi.restore(orgId, m.id) : vault.orgApi.revoke(orgId, m.id)), `${m.email} is ${revoked ? 'restored' : 'revoked'}.`) }, revoked ? 'Restore' : 'Revoke'),
        h('button', { type: 'button', className: 'small danger', 'aria-label': `Remove ${m.email}`,
          onclick: () => confirm(`Remove ${m.email} from the organization?`) && void act(() => vault.orgApi.remove(orgId, m.id), `${m.email} is removed.`) }, 'Remove')));
  });

  replace(root,
    h('h2', {}, 'Members'),
    status,
    h('div', { className: 'table-scroll' }, h('table', { className: 'members', 'aria-label': 'Members' },
      h('thead', {}, h('tr', {}, ['Member', 'Type', 'Status', 'Collections', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))),
    panel,
    invite);
}
