import { copyText } from '../clipboard';
import { errorText, field, h, message, replace } from '../dom';
import { go } from '../router';
import { SendType, type SendDraft, type SendView } from '../sends';
import { vault } from '../vault';
import { progressBar } from './progress';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Lifetimes offered for deletion and expiry; deletion is at most 31 days ahead (sharing doc §3.4). */
const PERIODS: [string, number][] = [['1 hour', HOUR], ['1 day', DAY], ['2 days', 2 * DAY], ['3 days', 3 * DAY], ['7 days', 7 * DAY], ['14 days', 14 * DAY], ['30 days', 30 * DAY]];

function periodSelect(keep: string | null, options: { never?: boolean; selected: string }): HTMLSelectElement {
  const select = h('select', {},
    keep ? h('option', { value: 'keep' }, `Keep: ${new Date(keep).toLocaleString()}`) : null,
    options.never ? h('option', { value: 'never' }, 'Never') : null,
    PERIODS.map(([label, ms]) => h('option', { value: String(ms) }, label)));
  select.value = keep ? 'keep' : options.selected;
  return select;
}

function dateOf(select: HTMLSelectElement, keep: string | null, now: number): string | null {
  if (select.value === 'keep') return keep;
  if (select.value === 'never') return null;
  return new Date(now + Number(select.value)).toISOString();
}

/** Creates a text or file Send, or edits one: the file of a file Send cannot change, its link never does. */
export async function sendEditScreen(root: HTMLElement, target: { id: string } | { type: number }): Promise<void> {
  let existing: SendView | null = null;
  if ('id' in target) {
    try {
      existing = await vault.send(target.id);
    } catch (err) {
      replace(root, h('h1', {}, 'Send not found'), message('error', errorText(err)), h('a', { href: '#/sends' }, 'Back to Send'));
      return;
    }
  }
  const type = existing?.type ?? ('type' in target ? target.type : SendType.Text);
  const title = existing ? `Edit ${existing.name}` : type === SendType.File ? 'New file Send' : 'New text Send';
  const status = h('div', { 'aria-live': 'polite' });

  const name = h('input', { type: 'text', required: true, maxlength: '500', value: existing?.name ?? '' });
  const text = h('textarea', { rows: '6', required: true }, existing?.text ?? '');
  const hidden = h('input', { type: 'checkbox', id: 'send-hidden', checked: existing?.hidden ?? false });
  const file = h('input', { type: 'file', required: true });
  const notes = h('textarea', { rows: '3' }, existing?.notes ?? '');
  const deletion = periodSelect(existing?.deletionDate ?? null, { selected: String(7 * DAY) });
  const expiration = periodSelect(existing?.expirationDate ?? null, { never: true, selected: 'never' });
  const maxAccess = h('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric', value: existing?.maxAccessCount ?? '' });
  const password = h('input', { type: 'password', autocomplete: 'new-password', maxlength: '1000' });
  const hideEmail = h('input', { type: 'checkbox', id: 'send-hide-email', checked: existing?.hideEmail ?? false });
  const disabled = h('input', { type: 'checkbox', id: 'send-disabled', checked: existing?.disabled ?? false });

  const content = type === SendType.Text
    ? [field('Text', text), h('div', { className: 'check' }, hidden, h('label', { for: 'send-hidden' }, 'Hide the text until the recipient shows it'))]
    : existing
      ? [h('p', {}, 'File: ', h('strong', {}, existing.fileName), ` (${existing.sizeName}). The file of a Send cannot change.`)]
      : [field('File', file, 'Encrypted in this browser before it is uploaded.')];

  const removePassword = existing?.hasPassword
    ? h('button', { type: 'button', className: 'secondary', onclick: () => void run(async () => {
        await vault.removeSendPassword(existing.id);
        go('/sends');
      }) }, 'Remove password')
    : null;

  const form = h('form', { className: 'card' },
    field('Name', name),
    content,
    field('Notes', notes, 'Only you see them.'),
    field('Delete after', deletion, 'The Send and its file are deleted then.'),
    field('Expires after', expiration, 'Recipients can no longer open it then.'),
    field('Maximum access count', maxAccess, 'Leave empty for no limit.'),
    existing ? h('p', { className: 'meta' }, `Opened ${existing.accessCount} ${existing.accessCount === 1 ? 'time' : 'times'}.`) : null,
    field(existing?.hasPassword ? 'New password' : 'Password', password,
      existing?.hasPassword ? 'Leave empty to keep the current password.' : 'Recipients need it to open the Send. Leave empty for none.'),
    h('div', { className: 'check' }, hideEmail, h('label', { for: 'send-hide-email' }, 'Hide my e-mail address from recipients')),
    h('div', { className: 'check' }, disabled, h('label', { for: 'send-disabled' }, 'Disable this Send')),
    h('div', { className: 'actions' }, h('button', { type: 'submit' }, 'Save'), removePassword, h('a', { href: '#/sends' }, 'Cancel')),
    status);

  async function run(action: () => Promise<void>) {
    const buttons = [...form.querySelectorAll<HTMLButtonElement>('button')];
    buttons.forEach((b) => (b.disabled = true));
    try {
      await action();
    } catch (err) {
      replace(status, message('error', errorText(err)));
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run(async () => {
      const now = Date.now();
      const draft: SendDraft = {
        type,
        name: name.value.trim(),
        notes: notes.value,
        text: text.value,
        hidden: hidden.checked,
        maxAccessCount: maxAccess.value ? Number(maxAccess.value) : null,
        deletionDate: dateOf(deletion, existing?.deletionDate ?? null, now)!,
        expirationDate: dateOf(expiration, existing?.expirationDate ?? null, now),
        disabled: disabled.checked,
        hideEmail: hideEmail.checked,
      };
      if (draft.expirationDate && Date.parse(draft.expirationDate) > Date.parse(draft.deletionDate)) {
        throw new Error('The Send cannot expire after it is deleted: choose an earlier expiry or a later deletion.');
      }
      if (existing) {
        await vault.updateSend(existing.id, draft, password.value);
        go('/sends');
        return;
      }
      let chosen: { name: string; bytes: Uint8Array<ArrayBuffer> } | null = null;
      const bar = progressBar('Uploading');
      if (type === SendType.File) {
        const f = file.files?.[0];
        if (!f) throw new Error('Choose a file to send.');
        replace(status, bar.el);
        chosen = { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
      }
      created(root, await vault.createSend(draft, password.value, chosen, bar.update));
    });
  });

  replace(root, h('p', {}, h('a', { href: '#/sends' }, '← Send')), h('h1', {}, title), form);
  name.focus();
}

/** After a create: the link to hand out, and a copy button. */
function created(root: HTMLElement, send: SendView): void {
  const status = h('div', { className: 'toast', 'aria-live': 'polite' });
  replace(root,
    h('h1', {}, 'Send created'),
    h('section', { className: 'card', 'aria-label': 'Send link' },
      h('p', {}, `Anyone with this link can open ${send.name}${send.hasPassword ? ' with the password' : ''}:`),
      h('p', { className: 'send-link', 'data-testid': 'send-link' }, send.url),
      h('div', { className: 'actions' },
        h('button', { type: 'button', onclick: () => copyText(send.url).then(
          () => replace(status, message('info', 'Link copied. The clipboard clears in 30 seconds.')),
          (err) => replace(status, message('error', `Could not copy: ${errorText(err)}`))) }, 'Copy link'),
        h('a', { href: '#/sends' }, 'Back to Send'))),
    status);
}
