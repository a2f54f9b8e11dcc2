import { EmergencyVault } from '../emergency';
import { errorText, h, message, replace } from '../dom';
import { attachmentsSection } from './attachments';
import { copier, itemFields, typeName } from './item';

// The vault opened for this screen, kept while the user moves between its list and its items (the same grant), and
// dropped for any other route: app.ts calls forgetEmergencyVault on every render outside these screens.
let opened: EmergencyVault | null = null;

export function forgetEmergencyVault(): void {
  opened = null;
}

/**
 * A vault entrusted to the user, opened read-only (#/settings/emergency/view/<grant>[/<item>], sharing doc §4.5 view):
 * the grantor's personal items decrypted with the grantor's key, which this account's private key unwraps; each item's
 * fields and attachment downloads, and nothing to edit.
 */
export async function emergencyViewScreen(root: HTMLElement, grantId: string, itemId: string | undefined): Promise<void> {
  const back = h('p', {}, h('a', { href: '#/settings/emergency' }, '← Emergency access'));
  try {
    if (opened?.grantId !== grantId) {
      replace(root, back, h('h1', {}, 'Emergency access'), message('info', 'Opening the vault…'));
      opened = await EmergencyVault.open(grantId);
    }
  } catch (err) {
    replace(root, back, h('h1', {}, 'Emergency access'), message('error', errorText(err)));
    return;
  }
  const source = opened;
  if (!itemId) {
    replace(root, back,
      h('h1', {}, 'Entrusted vault'),
      h('p', { className: 'meta' }, 'Read-only: these are the items of the person who trusts you, as they were when you opened this page.'),
      source.items.length
        ? h('ul', { className: 'items', 'aria-label': 'Items', 'data-testid': 'emergency-items' }, source.items.map(({ cipher, item }) =>
            h('li', {}, h('a', { href: `#/settings/emergency/view/${grantId}/${cipher.id}` }, item.name || '(no name)'),
              ' ', h('span', { className: 'meta' }, item.login.username || typeName(item.type)))))
        : h('p', { className: 'meta' }, 'This vault has no items.'));
    return;
  }
  let entry;
  try {
    entry = source.find(itemId);
  } catch (err) {
    replace(root, back, message('error', errorText(err)));
    return;
  }
  const status = h('div', { className: 'toast', 'aria-live': 'polite' });
  replace(root,
    h('p', {}, h('a', { href: `#/settings/emergency/view/${grantId}` }, '← Entrusted vault')),
    h('h1', {}, entry.item.name || '(no name)'),
    h('p', { className: 'meta' }, `${typeName(entry.item.type)} · read-only`),
    itemFields(entry.item, copier(status)),
    entry.cipher.attachments?.length ? attachmentsSection(itemId, false, source) : null,
    status);
}
