import { errorText, field, h, message, replace } from '../dom';
import { go } from '../router';
import { vault } from '../vault';

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
  replace(root, h('h2', {}, 'Settings'), status, h('div', { className: 'actions' }, leave), remove);
}
