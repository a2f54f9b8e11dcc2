import type { AttachmentView } from '../attachments';
import { errorText, field, h, message, replace, uid } from '../dom';
import { download } from '../exporters';
import { safeFileName } from '../sends';
import type { Progress } from '../filesapi';
import { vault } from '../vault';
import { formatBytes, progressBar } from './progress';

/** Where the files come from: the caller's own vault, or a vault opened through emergency access (read-only). */
export interface AttachmentSource {
  attachments(itemId: string): Promise<AttachmentView[]>;
  downloadAttachment(itemId: string, attachmentId: string, progress: Progress): Promise<{ name: string; bytes: Uint8Array<ArrayBuffer> }>;
}

/**
 * The item screen's "Attachments" section (sharing doc §2): the files with their decrypted names and sizes, a
 * download for each (fetched through a fresh short-lived URL and decrypted here), and, when the caller may edit
 * the item, delete and add (encrypted in the browser, uploaded with a progress bar).
 */
export function attachmentsSection(itemId: string, canEdit: boolean, files: AttachmentSource = vault): HTMLElement {
  const headingId = uid('attachments');
  const section = h('section', { className: 'card', 'aria-labelledby': headingId });
  const status = h('div', { 'aria-live': 'polite' });

  const draw = async (note?: HTMLElement) => {
    let list: AttachmentView[];
    try {
      list = await files.attachments(itemId);
    } catch (err) {
      replace(section, h('h2', { id: headingId }, 'Attachments'), message('error', errorText(err)));
      return;
    }
    replace(status, note ?? null);
    replace(section,
      h('h2', { id: headingId }, 'Attachments'),
      list.length
        ? h('ul', { className: 'files', 'data-testid': 'attachment-list' }, list.map((f) => fileRow(f)))
        : h('p', { className: 'meta' }, 'No files attached.'),
      canEdit ? addForm() : null,
      status);
  };

  const busy = (on: boolean) => section.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input').forEach((b) => (b.disabled = on));

  const fileRow = (f: AttachmentView) =>
    h('li', {},
      h('span', { className: 'name' }, f.fileName),
      h('span', { className: 'meta' }, formatBytes(f.size)),
      h('span', { className: 'row-actions' },
        h('button', { type: 'button', className: 'small', 'aria-label': `Download ${f.fileName}`, onclick: () => void fetchFile(f) }, 'Download'),
        canEdit ? h('button', { type: 'button', className: 'small danger', 'aria-label': `Delete attachment ${f.fileName}`, onclick: () => void remove(f) }, 'Delete') : null));

  async function fetchFile(f: AttachmentView) {
    const bar = progressBar(`Downloading ${f.fileName}`);
    replace(status, bar.el);
    busy(true);
    try {
      const file = await files.downloadAttachment(itemId, f.id, bar.update);
      download(safeFileName(file.name), file.bytes, 'application/octet-stream');
      replace(status, message('info', `${f.fileName} downloaded.`));
    } catch (err) {
      replace(status, message('error', `Could not download ${f.fileName}: ${errorText(err)}`));
    } finally {
      busy(false);
    }
  }

  async function remove(f: AttachmentView) {
    if (!confirm(`Delete the attachment ${f.fileName}? This cannot be undone.`)) return;
    busy(true);
    try {
      await vault.deleteAttachment(itemId, f.id);
      await draw(message('info', `${f.fileName} deleted.`));
    } catch (err) {
      replace(status, message('error', errorText(err)));
      busy(false);
    }
  }

  function addForm(): HTMLElement {
    const input = h('input', { type: 'file', required: true });
    const form = h('form', { className: 'add-attachment' }, field('File to attach', input, 'Encrypted in this browser before it is uploaded.'), h('button', { type: 'submit' }, 'Upload'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const file = input.files?.[0];
      if (!file) return;
      const bar = progressBar(`Uploading ${file.name}`);
      replace(status, bar.el);
      busy(true);
      try {
        const bytes = new Uint8Array(await file.arrayBuffer());
        await vault.addAttachment(itemId, { name: file.name, bytes }, bar.update);
        await draw(message('info', `${file.name} attached.`));
      } catch (err) {
        replace(status, message('error', `Could not attach ${file.name}: ${errorText(err)}`));
        busy(false);
      }
    });
    return form;
  }

  replace(section, h('h2', { id: headingId }, 'Attachments'), h('p', { className: 'meta' }, 'Loading…'));
  void draw();
  return section;
}
