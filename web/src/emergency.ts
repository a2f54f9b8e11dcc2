// The grantee's side of emergency access (sharing doc §4.4): the grantor's user key arrives wrapped for this account's
// public key and is opened here with its private key, to read the grantor's items (view) or to wrap that user key
// under a new master password (takeover). Nothing of the grantor's vault is kept once the screen is left.
import { decryptAttachments, fetchAttachment, type AttachmentView } from './attachments';
import { emergencyPasswordRequest, SymmetricKey, unwrapKeyBytes } from './crypto';
import type { Progress } from './filesapi';
import { decryptItem, itemKey } from './items';
import type { CipherResponse, ItemView } from './models';
import { vault } from './vault';

export interface EmergencyItem { cipher: CipherResponse; item: ItemView }

/** A grantor's vault opened read-only: its personal items (not in the trash) and their attachments. */
export class EmergencyVault {
  private constructor(
    readonly grantId: string,
    private readonly key: SymmetricKey,
    readonly items: EmergencyItem[],
  ) {}

  static async open(grantId: string): Promise<EmergencyVault> {
    const view = await vault.emergencyApi.view(grantId);
    const raw = await unwrapKeyBytes(view.keyEncrypted, vault.ownPrivateKey());
    let key: SymmetricKey;
    try {
      key = await SymmetricKey.fromBytes(raw);
    } finally {
      raw.fill(0);
    }
    // Only personal items are in a view answer (E-11); an organization item would need a key the grantee has not got.
    const ciphers = view.ciphers.filter((c) => !c.organizationId && !c.deletedDate);
    const items = await Promise.all(ciphers.map(async (cipher) => ({ cipher, item: await decryptItem(cipher, key) })));
    items.sort((a, b) => a.item.name.localeCompare(b.item.name));
    return new EmergencyVault(grantId, key, items);
  }

  find(cipherId: string): EmergencyItem {
    const found = this.items.find((i) => i.cipher.id === cipherId);
    if (!found) throw new Error('No such item.');
    return found;
  }

  async attachments(cipherId: string): Promise<AttachmentView[]> {
    const { cipher } = this.find(cipherId);
    return decryptAttachments(cipher.attachments, await itemKey(cipher, this.key));
  }

  /** Through the emergency attachment route's fresh short-lived URL, decrypted here. */
  async downloadAttachment(cipherId: string, attachmentId: string, progress: Progress): Promise<{ name: string; bytes: Uint8Array<ArrayBuffer> }> {
    const { cipher } = this.find(cipherId);
    const attachment = cipher.attachments?.find((a) => a.id === attachmentId);
    if (!attachment) throw new Error('No such attachment.');
    return fetchAttachment(attachment, vault.emergencyApi.attachmentUrl(this.grantId, cipherId, attachmentId), await itemKey(cipher, this.key), progress);
  }
}

/** Sets a new master password for the grantor's account (§4.5): takeover answer, then the password request. */
export async function takeOver(grantId: string, newPassword: string, grantorEmail: string): Promise<void> {
  const answer = await vault.emergencyApi.takeover(grantId);
  const body = await emergencyPasswordRequest(answer, vault.ownPrivateKey(), newPassword, grantorEmail);
  await vault.emergencyApi.password(grantId, body);
}
