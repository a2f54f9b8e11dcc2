// The attachment and Send routes (sharing doc §2, §3) and the recipient's side of a Send, which needs no account
// (§3.8: the send_access grant, then POST /api/sends/access with that token). Uploads go through XMLHttpRequest,
// the one browser API that reports upload progress; downloads are bare fetches of the absolute, self-authorising
// URLs the server hands out (§1.3), so no bearer token ever travels with them.
import { Api, ApiError, errorMessage } from './api';
import type { CipherResponse, SendAccessResponse, SendRequest, SendResponse } from './models';

/** Bytes done and bytes in all (0 when the total is unknown). */
export type Progress = (done: number, total: number) => void;

/** The answer to POST …/attachment/v2 (§2.2): the slot's id and the item with the new entry. */
export interface AttachmentSlot {
  attachmentId: string;
  fileUploadType: number;
  cipherResponse: CipherResponse;
}

/** The answer to POST /api/sends/file/v2 (§3.5). */
export interface SendFileSlot {
  fileUploadType: number;
  sendResponse: SendResponse;
}

export class FilesApi {
  constructor(
    private readonly api: Api,
    private readonly base = '',
  ) {}

  // ---------- attachments (§2) ----------

  reserveAttachment(cipherId: string, body: { key: string; fileName: string; fileSize: number; adminRequest: false; lastKnownRevisionDate: string }): Promise<AttachmentSlot> {
    return this.api.request('POST', `/api/ciphers/${cipherId}/attachment/v2`, body);
  }

  uploadAttachment(cipherId: string, attachmentId: string, data: Uint8Array<ArrayBuffer>, fileName: string, progress: Progress): Promise<void> {
    return this.upload(`/api/ciphers/${cipherId}/attachment/${attachmentId}`, data, fileName, progress);
  }

  /** A fresh download URL (absolute, with a token valid a few minutes), §2.5. */
  async attachmentUrl(cipherId: string, attachmentId: string): Promise<string> {
    const answer = await this.api.request<{ url: string | null }>('GET', `/api/ciphers/${cipherId}/attachment/${attachmentId}`);
    if (!answer?.url) throw new Error('The server gave no download address for this attachment.');
    return answer.url;
  }

  /** Deletes an attachment (or the slot of a failed upload) and returns the item as it now is, §2.6. */
  async deleteAttachment(cipherId: string, attachmentId: string): Promise<CipherResponse> {
    const answer = await this.api.request<{ cipher: CipherResponse }>('DELETE', `/api/ciphers/${cipherId}/attachment/${attachmentId}`);
    return answer.cipher;
  }

  // ---------- the owner's Sends (§3.4–§3.6) ----------

  createSend(body: SendRequest): Promise<SendResponse> {
    return this.api.request('POST', '/api/sends', body);
  }

  createFileSend(body: SendRequest): Promise<SendFileSlot> {
    return this.api.request('POST', '/api/sends/file/v2', body);
  }

  uploadSendFile(sendId: string, fileId: string, data: Uint8Array<ArrayBuffer>, fileName: string, progress: Progress): Promise<void> {
    return this.upload(`/api/sends/${sendId}/file/${fileId}`, data, fileName, progress);
  }

  updateSend(id: string, body: SendRequest): Promise<SendResponse> {
    return this.api.request('PUT', `/api/sends/${id}`, body);
  }

  removeSendPassword(id: string): Promise<SendResponse> {
    return this.api.request('PUT', `/api/sends/${id}/remove-password`);
  }

  async deleteSend(id: string): Promise<void> {
    await this.api.request('DELETE', `/api/sends/${id}`);
  }

  /**
   * The direct upload (§1.2): one multipart part named `data` holding the EncArrayBuffer; its file name is the
   * encrypted name, as the browser apps send it (the server does not use it).
   */
  private async upload(path: string, data: Uint8Array<ArrayBuffer>, fileName: string, progress: Progress): Promise<void> {
    const token = await this.api.accessToken();
    const form = new FormData();
    form.append('data', new Blob([data], { type: 'application/octet-stream' }), fileName);
    await new Promise<void>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', this.base + path);
      xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => progress(e.loaded, e.lengthComputable ? e.total : 0);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          progress(data.length, data.length);
          resolve();
        } else {
          void errorMessage(new Response(xhr.responseText, { status: xhr.status })).then((m) => reject(new ApiError(m, xhr.status)));
        }
      };
      xhr.onerror = () => reject(new ApiError('The upload failed: the connection to the server broke.', 0));
      xhr.send(form);
    });
  }
}

// ---------- the recipient's side (§3.8), no account ----------

/** The Send wants a password and none (or an empty one) was given: the page asks for it. */
export class SendPasswordRequired extends Error {
  constructor() {
    super('This Send is protected by a password.');
  }
}

/** The password hash was refused. */
export class SendPasswordInvalid extends Error {
  constructor() {
    super('Wrong password.');
  }
}

/** Unknown, disabled, expired, deleted or used up: the server does not say which (§3.8). */
export class SendUnavailable extends Error {
  constructor() {
    super('This Send does not exist or is no longer available.');
  }
}

/**
 * A Send access token (§3.8 step 1): the anonymous `send_access` grant, with the password hash when there is one.
 * The error pair (`error`, `send_access_error_type`) becomes one of the three errors above.
 */
export async function sendAccessToken(accessId: string, passwordHash: string | null, base = ''): Promise<string> {
  const form = new URLSearchParams({ client_id: 'send', grant_type: 'send_access', scope: 'api.send.access', send_id: accessId });
  if (passwordHash) form.set('password_hash_b64', passwordHash);
  const response = await fetch(base + '/identity/connect/token', { method: 'POST', body: form, headers: { Accept: 'application/json' } });
  if (response.ok) {
    const body = (await response.json()) as { access_token?: string };
    if (!body.access_token) throw new Error('The server answered without a Send access token.');
    return body.access_token;
  }
  const body = (await response.clone().json().catch(() => ({}))) as { send_access_error_type?: string };
  switch (body.send_access_error_type) {
    case 'password_hash_b64_required':
      throw new SendPasswordRequired();
    case 'password_hash_b64_invalid':
      throw new SendPasswordInvalid();
    case 'send_id_invalid':
    case 'send_id_required':
      throw new SendUnavailable();
    default:
      throw new ApiError(await errorMessage(response), response.status);
  }
}

async function sendTokenCall<T>(path: string, token: string, base: string): Promise<T> {
  const response = await fetch(base + path, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  if (response.status === 404) throw new SendUnavailable();
  if (!response.ok) throw new ApiError(await errorMessage(response), response.status);
  return (await response.json()) as T;
}

/** The encrypted Send (§3.8 step 2); a text Send's access is counted here. */
export function accessSend(token: string, base = ''): Promise<SendAccessResponse> {
  return sendTokenCall('/api/sends/access', token, base);
}

/** The file's download URL (§3.8 step 3); a file Send's access is counted here. */
export async function sendFileUrl(token: string, fileId: string, base = ''): Promise<string> {
  const answer = await sendTokenCall<{ url: string }>(`/api/sends/access/file/${fileId}`, token, base);
  return answer.url;
}

/** Fetches a download URL with no credentials at all, reporting progress as the bytes arrive. */
export async function downloadBytes(url: string, progress: Progress): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url, { credentials: 'omit', cache: 'no-store' });
  if (!response.ok) throw new ApiError(`The download failed: the server answered ${response.status}.`, response.status);
  const total = Number(response.headers.get('Content-Length') ?? 0);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let done = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    chunks.push(value);
    done += value.length;
    progress(done, total);
  }
  const out = new Uint8Array(done);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
