import { copyText } from '../clipboard';
import { errorText, h, message, replace } from '../dom';
import { CipherType, IDENTITY_FIELDS, type ItemView } from '../models';
import { go } from '../router';
import { currentTotp } from '../totp';
import { vault } from '../vault';
import { attachmentsSection } from './attachments';
import { IDENTITY_LABELS } from './labels';

/** One item: every field with a copy button, secrets hidden until revealed, a live TOTP code. */
export async function itemScreen(root: HTMLElement, id: string): Promise<void> {
  let item: ItemView;
  try {
    item = await vault.item(id);
  } catch (err) {
    replace(root, h('h1', {}, 'Item not found'), message('error', errorText(err)), h('a', { href: '#/vault' }, 'Back to the vault'));
    return;
  }
  const status = h('div', { className: 'toast', 'aria-live': 'polite' });
  const copy = copier(status);

  const hidden = !item.viewPassword;
  const folder = vault.folders.find((f) => f.id === item.folderId)?.name;
  const cipherPermissions = vault.permissions(id);
  const org = item.organizationId ? vault.organizations.find((o) => o.id === item.organizationId) : null;
  const collections = vault.collections.filter((c) => item.collectionIds.includes(c.id)).map((c) => c.name);

  // Read-only access offers no edit; deleting and restoring follow the item's permissions (organizations doc §7.3).
  const actions = item.deletedDate
    ? [
        cipherPermissions.restore ? h('button', { type: 'button', onclick: () => act(() => vault.restoreItem(id), '/trash') }, 'Restore') : null,
        cipherPermissions.delete ? h('button', { type: 'button', className: 'danger', onclick: () => confirm('Delete this item for good? This cannot be undone.') && act(() => vault.deleteItem(id), '/trash') }, 'Delete permanently') : null,
      ]
    : [
        item.edit ? h('button', { type: 'button', onclick: () => go(`/edit/${id}`) }, 'Edit') : null,
        !item.organizationId && vault.organizations.length ? h('button', { type: 'button', className: 'secondary', onclick: () => go(`/share/${id}`) }, 'Move to organization') : null,
        item.organizationId && item.viewPassword ? h('button', { type: 'button', className: 'secondary', onclick: () => go(`/collections/${id}`) }, 'Collections') : null,
        cipherPermissions.delete ? h('button', { type: 'button', className: 'danger', onclick: () => act(() => vault.trashItem(id), '/vault') }, 'Move to trash') : null,
      ];

  async function act(action: () => Promise<void>, then: string) {
    // One click, one request: the buttons stay disabled until the server has answered.
    const buttons = [...root.querySelectorAll<HTMLButtonElement>('.actions button')];
    buttons.forEach((b) => (b.disabled = true));
    try {
      await action();
      go(then);
    } catch (err) {
      replace(status, message('error', errorText(err)));
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  replace(root,
    h('p', {}, h('a', { href: item.deletedDate ? '#/trash' : '#/vault' }, item.deletedDate ? '← Trash' : '← Vault')),
    h('h1', {}, item.name || '(no name)'),
    h('p', { className: 'meta' }, [typeName(item.type), folder ? `in ${folder}` : null, item.favorite ? 'favorite' : null, item.deletedDate ? 'in the trash' : null].filter(Boolean).join(' · ')),
    org ? h('p', { className: 'meta', 'data-testid': 'item-owner' }, `Shared by ${org.name}${collections.length ? ` in ${collections.join(', ')}` : ''}${item.edit ? '' : ' · read-only'}${hidden ? ' · password hidden' : ''}`) : null,
    // A URI whose checksum does not verify was swapped by the server (malicious-server doc BW06): it is not shown.
    item.uriChecksumFailed
      ? h('p', { className: 'message error', role: 'alert', 'data-check': 'uri-checksum' }, 'A website address of this item does not match its checksum: the server altered it, so it is not shown.')
      : null,
    itemFields(item, copy),
    item.passwordHistory.length && !hidden
      ? h('details', { className: 'history' },
          h('summary', { className: 'meta' }, `Password history: ${item.passwordHistory.length} earlier ${item.passwordHistory.length === 1 ? 'password' : 'passwords'}.`),
          h('ul', {}, item.passwordHistory.map((p, i) =>
            h('li', {}, h('span', { className: 'secret' }, p.password), ' ', h('span', { className: 'meta' }, new Date(p.lastUsedDate).toLocaleString()), ' ',
              h('button', { type: 'button', className: 'small', 'aria-label': `Copy earlier password ${i + 1}`, onclick: () => void copy('Earlier password', p.password) }, 'Copy')))))
      : null,
    item.revisionDate ? h('p', { className: 'meta' }, `Updated ${new Date(item.revisionDate).toLocaleString()}`) : null,
    h('div', { className: 'actions' }, actions),
    attachmentsSection(id, item.edit && !item.deletedDate),
    status);
}

/** Copies a value (the clipboard clears after 30 seconds) and says so in `status`. */
export function copier(status: HTMLElement): (label: string, value: string) => Promise<void> {
  return async (label, value) => {
    try {
      await copyText(value);
      replace(status, message('info', `${label} copied. The clipboard clears in 30 seconds.`));
    } catch (err) {
      replace(status, message('error', `Could not copy: ${errorText(err)}`));
    }
  };
}

/**
 * An item's fields as a definition list: a copy button on each, secrets hidden until revealed, a live TOTP code.
 * Also the emergency access view's read-only item (screens/emergency-view.ts).
 */
export function itemFields(item: ItemView, copy: (label: string, value: string) => Promise<void>): HTMLElement {
  const rows: HTMLElement[] = [];
  const row = (label: string, value: string, opts: { secret?: boolean; link?: boolean } = {}) => {
    if (!value) return;
    const shown = h('span', { className: opts.secret ? 'value secret' : 'value' }, opts.secret ? '••••••••' : value);
    if (opts.link && /^https?:\/\//i.test(value)) replace(shown, h('a', { href: value, target: '_blank', rel: 'noopener noreferrer' }, value));
    const buttons: HTMLElement[] = [];
    if (opts.secret) {
      const reveal = h('button', { type: 'button', className: 'small secondary', 'aria-pressed': 'false', 'aria-label': `Reveal ${label}` }, 'Show');
      reveal.addEventListener('click', () => {
        const on = reveal.getAttribute('aria-pressed') !== 'true';
        reveal.setAttribute('aria-pressed', String(on));
        reveal.textContent = on ? 'Hide' : 'Show';
        reveal.setAttribute('aria-label', `${on ? 'Hide' : 'Reveal'} ${label}`);
        shown.textContent = on ? value : '••••••••';
      });
      buttons.push(reveal);
    }
    buttons.push(h('button', { type: 'button', className: 'small', 'aria-label': `Copy ${label}`, onclick: () => void copy(label, value) }, 'Copy'));
    rows.push(h('div', { className: 'row' }, h('dt', {}, label), h('dd', {}, shown, h('span', { className: 'row-actions' }, buttons))));
  };

  // Hide-passwords access (organizations doc §9.3): the password, the TOTP secret's codes, hidden fields and the
  // password history never reach the page, so there is nothing to reveal, copy or find in the DOM.
  const hidden = !item.viewPassword;
  if (item.type === CipherType.Login) {
    row('Username', item.login.username);
    if (hidden) {
      if (item.login.password) rows.push(h('div', { className: 'row' }, h('dt', {}, 'Password'), h('dd', {}, h('span', { className: 'value meta' }, 'Hidden by your organization'))));
    } else {
      row('Password', item.login.password, { secret: true });
    }
    item.login.uris.forEach((u, i) => row(item.login.uris.length > 1 ? `Website ${i + 1}` : 'Website', u.uri, { link: true }));
  } else if (item.type === CipherType.Card) {
    row('Cardholder name', item.card.cardholderName);
    row('Brand', item.card.brand);
    row('Number', item.card.number, { secret: true });
    row('Expiration', [item.card.expMonth, item.card.expYear].filter(Boolean).join(' / '));
    row('Security code', item.card.code, { secret: true });
  } else if (item.type === CipherType.Identity) {
    for (const f of IDENTITY_FIELDS) row(IDENTITY_LABELS[f], item.identity[f], { secret: f === 'ssn' || f === 'passportNumber' || f === 'licenseNumber' });
  }
  for (const f of item.fields) {
    if (hidden && f.type === 1) continue;
    row(f.name || 'Field', f.type === 2 ? (f.value === 'true' ? 'Yes' : 'No') : f.value, { secret: f.type === 1 });
  }
  row('Notes', item.notes);

  const totp = item.type === CipherType.Login && item.login.totp && !hidden ? totpRow(item.login.totp, copy) : null;
  return h('dl', { className: 'fields' }, rows, totp);
}

export function typeName(type: number): string {
  return ({ 1: 'Login', 2: 'Secure note', 3: 'Card', 4: 'Identity', 5: 'SSH key (its key is not shown here)' } as Record<number, string>)[type] ?? 'Item of a newer type (shown in part)';
}

/** The current code and the seconds it has left, refreshed every second while the row is on screen. */
function totpRow(secret: string, copy: (label: string, value: string) => Promise<void>): HTMLElement {
  const code = h('span', { className: 'value totp', 'data-testid': 'totp-code' }, '······');
  const left = h('span', { className: 'countdown', 'data-testid': 'totp-seconds' });
  const el = h('div', { className: 'row' }, h('dt', {}, 'Verification code (TOTP)'),
    h('dd', {}, code, left, h('span', { className: 'row-actions' },
      h('button', { type: 'button', className: 'small', 'aria-label': 'Copy verification code', onclick: () => void copy('Verification code', code.dataset.code ?? '') }, 'Copy'))));
  const tick = async () => {
    if (!el.isConnected && el.dataset.started) return clearInterval(timer);
    el.dataset.started = '1';
    try {
      const now = await currentTotp(secret);
      code.dataset.code = now.code;
      const half = now.code.length / 2;
      code.textContent = `${now.code.slice(0, Math.ceil(half))} ${now.code.slice(Math.ceil(half))}`;
      left.textContent = `${now.secondsLeft}s`;
    } catch {
      code.textContent = 'Invalid TOTP secret';
    }
  };
  const timer = setInterval(() => void tick(), 1000);
  void tick();
  return el;
}
