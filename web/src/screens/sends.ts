import { copyText } from '../clipboard';
import { errorText, h, message, replace } from '../dom';
import { go } from '../router';
import { SendType, unavailableReason, type SendView } from '../sends';
import { vault } from '../vault';

/**
 * The account's Sends (sharing doc §3): name, kind, when recipients lose access and when it is deleted, how often
 * it was opened out of how many allowed, and per Send: copy link, edit, delete.
 */
export async function sendsScreen(root: HTMLElement): Promise<void> {
  const status = h('div', { className: 'toast', 'aria-live': 'polite' });
  const list = h('ul', { className: 'files', 'data-testid': 'send-list' });

  const draw = async () => {
    let sends: SendView[];
    try {
      sends = await vault.sends();
    } catch (err) {
      replace(list, h('li', {}, message('error', errorText(err))));
      return;
    }
    replace(list, sends.length === 0 ? h('li', { className: 'empty' }, 'No Sends yet.') : sends.map(row));
    list.dataset.ready = 'true';
  };

  const row = (s: SendView) => {
    const unavailable = unavailableReason(s);
    return h('li', { 'data-send-id': s.id },
      h('span', { className: 'name' }, h('a', { href: `#/sends/edit/${s.id}` }, s.name || '(no name)')),
      h('span', { className: 'meta', 'data-testid': 'send-details' }, sendDetails(s, unavailable)),
      h('span', { className: 'row-actions' },
        h('button', { type: 'button', className: 'small', 'aria-label': `Copy link of ${s.name}`, disabled: !s.url, onclick: () => void copy(s) }, 'Copy link'),
        h('button', { type: 'button', className: 'small secondary', 'aria-label': `Edit ${s.name}`, onclick: () => go(`/sends/edit/${s.id}`) }, 'Edit'),
        h('button', { type: 'button', className: 'small danger', 'aria-label': `Delete Send ${s.name}`, onclick: () => void remove(s) }, 'Delete')));
  };

  async function copy(s: SendView) {
    try {
      await copyText(s.url);
      replace(status, message('info', 'Link copied. The clipboard clears in 30 seconds.'));
    } catch (err) {
      replace(status, message('error', `Could not copy: ${errorText(err)}`));
    }
  }

  async function remove(s: SendView) {
    if (!confirm(`Delete the Send ${s.name}? Its link stops working.`)) return;
    try {
      await vault.deleteSend(s.id);
      replace(status, message('info', `${s.name} deleted.`));
      await draw();
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  }

  // A Send changed on another device, or opened by a recipient (live sync): the counts follow.
  const off = vault.onChange(() => (list.isConnected ? void draw() : off()));
  replace(root,
    h('h1', {}, 'Send'),
    h('p', { className: 'meta' }, 'Share a text or a file with anyone through a link that expires. It is encrypted here; the key is in the link, never on the server.'),
    h('div', { className: 'actions' },
      h('button', { type: 'button', onclick: () => go('/sends/new/text') }, 'New text Send'),
      h('button', { type: 'button', onclick: () => go('/sends/new/file') }, 'New file Send')),
    status,
    list);
  await draw();
}

/** "Text · expires 5 Dec 2026, 10:00 · deleted 12 Dec 2026 · opened 1 of 3 times · password · disabled". */
export function sendDetails(s: SendView, unavailable = unavailableReason(s)): string {
  const when = (iso: string) => new Date(iso).toLocaleString();
  return [
    s.type === SendType.File ? `File${s.fileName ? ` ${s.fileName}` : ''}${s.sizeName ? ` (${s.sizeName})` : ''}` : 'Text',
    s.expirationDate ? `expires ${when(s.expirationDate)}` : 'no expiry',
    `deleted ${when(s.deletionDate)}`,
    s.maxAccessCount !== null ? `opened ${s.accessCount} of ${s.maxAccessCount} times` : `opened ${s.accessCount} ${s.accessCount === 1 ? 'time' : 'times'}`,
    s.hasPassword ? 'password' : null,
    unavailable ? `not available: ${unavailable}` : null,
  ].filter(Boolean).join(' · ');
}
