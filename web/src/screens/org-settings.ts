import { errorText, field, h, message, replace } from '../dom';
import { go } from '../router';
import { organizationPhraseChecked } from '../orgguard';
import { vault } from '../vault';
import { handleUnsafe } from './unsafe';

/** Leave the organization, or (owners) delete it with its items after the master password (organizations doc §3.2). */
export async function orgSettingsTab(root: HTMLElement, orgId: string): Promise<void> {
  const status = h('div', { 'aria-live': 'polite' });
  const leave = h('button', { type: 'button', className: 'secondary' }, 'Leave organization');
  leave.addEventListener('click', async () => {
    if (!confirm('Leave this organization? Its items leave your vault.')) return;
    try {
      await vault.orgApi.leave(orgId);
      await vault.sync();
      go('/orgs');
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  });
  const password = h('input', { type: 'password', name: 'masterPassword', autocomplete: 'current-password', required: true });
  const remove = h('form', { className: 'card', 'aria-labelledby': 'delete-org' },
    h('h3', { id: 'delete-org' }, 'Delete organization'),
    h('p', {}, 'Deletes the organization, its collections and every item in it, for every member.'),
    field('Master password', password), h('div', { className: 'actions' }, h('button', { type: 'submit', className: 'danger' }, 'Delete organization')));
  remove.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await vault.orgApi.delete(orgId, await vault.verificationHash(password.value));
      await vault.sync();
      go('/orgs');
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  });
  // The organization's phrase (its public key with its id), for members comparing it when they join (orgguard.ts).
  const phrase = h('span', { className: 'fingerprint', 'data-testid': 'organization-fingerprint-phrase' }, '…');
  replace(root, h('h2', {}, 'Settings'), status,
    h('p', {}, 'Fingerprint phrase of this organization, for members to compare when they join: ', phrase),
    h('div', { className: 'actions' }, leave), remove);
  try {
    const { publicKey } = await vault.orgApi.publicKey(orgId);
    phrase.textContent = await organizationPhraseChecked(vault.email, orgId, vault.organizations.find((o) => o.id === orgId)?.name ?? orgId, publicKey);
  } catch (err) {
    if (!handleUnsafe(err)) phrase.textContent = 'This organization has no key pair.';
  }
}
