import { copyText } from '../clipboard';
import { makeSendKey, sendPasswordHash, type SymmetricKey } from '../crypto';
import { errorText, field, h, message, replace } from '../dom';
import { download } from '../exporters';
import { accessSend, downloadBytes, SendPasswordInvalid, SendPasswordRequired, sendAccessToken, sendFileUrl } from '../filesapi';
import { decryptSendFile, openReceived, safeFileName, seedFromUrlKey, type ReceivedSend } from '../sends';
import { progressBar } from './progress';

/**
 * The page a Send link opens (`#/send/{accessId}/{urlKey}`, sharing doc §3.8), with or without an account: the
 * send_access grant (again with the password's hash when the Send has one), then the encrypted Send, decrypted
 * here with the key from the link's fragment, which the server never sees. A text is shown with a copy button; a
 * file is downloaded and decrypted on request (that is when its access is counted).
 */
export async function receiveScreen(root: HTMLElement, accessId: string, urlKey: string): Promise<void> {
  let seed: Uint8Array<ArrayBuffer>;
  let sendKey: SymmetricKey;
  try {
    seed = seedFromUrlKey(urlKey);
    sendKey = await makeSendKey(seed);
  } catch (err) {
    replace(root, h('h1', {}, 'Send'), message('error', `This link is not a complete Send link: ${errorText(err)}`));
    return;
  }
  const status = h('div', { 'aria-live': 'polite' });

  const open = async (password: string | null) => {
    const hash = password ? await sendPasswordHash(password, seed) : null;
    const token = await sendAccessToken(accessId, hash);
    const send = await openReceived(await accessSend(token), sendKey);
    show(send, hash);
  };

  const ask = () => {
    const input = h('input', { type: 'password', required: true, autocomplete: 'off' });
    const form = h('form', { className: 'card narrow' },
      h('p', {}, 'This Send is protected by a password. Ask the sender for it.'),
      field('Password', input),
      h('button', { type: 'submit' }, 'Open'),
      status);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const button = form.querySelector('button')!;
      button.disabled = true;
      replace(status, message('info', 'Opening…'));
      void open(input.value).catch((err) => {
        button.disabled = false;
        replace(status, message('error', err instanceof SendPasswordInvalid ? 'Wrong password.' : errorText(err)));
      });
    });
    replace(root, h('h1', {}, 'Send'), form);
    input.focus();
  };

  const show = (send: ReceivedSend, hash: string | null) => {
    replace(status);
    const meta = h('p', { className: 'meta', 'data-testid': 'send-creator' },
      send.creator ? `Shared by ${send.creator}` : 'The sender chose not to show their e-mail address.',
      send.expirationDate ? ` · available until ${new Date(send.expirationDate).toLocaleString()}` : '');
    let body: HTMLElement;
    if (send.file) {
      const f = send.file;
      body = h('section', { className: 'card', 'aria-label': 'Received file' },
        h('p', {}, h('strong', { 'data-testid': 'send-file-name' }, f.fileName), ` (${f.sizeName})`),
        h('button', { type: 'button', onclick: (e: Event) => void fetchFile(e.currentTarget as HTMLButtonElement, f, hash) }, 'Download file'));
    } else {
      const area = h('textarea', { className: 'received-text', readonly: true, rows: '8' }, send.hidden ? '' : send.text);
      if (send.hidden) area.value = '••••••••';
      const reveal = send.hidden
        ? h('button', { type: 'button', className: 'secondary', 'aria-pressed': 'false', onclick: (e: Event) => {
            const b = e.currentTarget as HTMLButtonElement;
            const on = b.getAttribute('aria-pressed') !== 'true';
            b.setAttribute('aria-pressed', String(on));
            b.textContent = on ? 'Hide text' : 'Show text';
            area.value = on ? send.text : '••••••••';
          } }, 'Show text')
        : null;
      body = h('section', { className: 'card', 'aria-label': 'Received text' },
        field('Text', area),
        h('div', { className: 'actions' }, reveal, h('button', { type: 'button', onclick: () => copyText(send.text).then(
          () => replace(status, message('info', 'Text copied. The clipboard clears in 30 seconds.')),
          (err) => replace(status, message('error', `Could not copy: ${errorText(err)}`))) }, 'Copy text')));
    }
    replace(root, h('h1', {}, send.name || 'Send'), meta, body, status);
  };

  async function fetchFile(button: HTMLButtonElement, f: { id: string; fileName: string }, hash: string | null) {
    button.disabled = true;
    const bar = progressBar('Downloading');
    replace(status, bar.el);
    try {
      // A fresh token: the first one may be past its two minutes by now.
      const token = await sendAccessToken(accessId, hash);
      const data = await downloadBytes(await sendFileUrl(token, f.id), bar.update);
      download(safeFileName(f.fileName), await decryptSendFile(data, sendKey), 'application/octet-stream');
      replace(status, message('info', `${f.fileName} downloaded.`));
    } catch (err) {
      replace(status, message('error', `Could not download the file: ${errorText(err)}`));
    } finally {
      button.disabled = false;
    }
  }

  replace(root, h('h1', {}, 'Send'), h('p', { className: 'meta' }, 'Opening…'));
  try {
    await open(null);
  } catch (err) {
    if (err instanceof SendPasswordRequired) ask();
    else replace(root, h('h1', {}, 'Send'), message('error', errorText(err)));
  }
}
