// The emergency access routes (sharing doc §4.5) with the official web vault's request shapes. What is sent is plain
// metadata or already encrypted: the grantor's user key travels only wrapped for the grantee's public key.
import type { Api } from './api';
import type { TakeoverAnswer } from './crypto';
import type { AttachmentResponse, CipherResponse } from './models';

interface ListOf<T> { data: T[] }

/** 0 View (read the grantor's items), 1 Takeover (set a new master password for the grantor's account). */
export const EmergencyType = { View: 0, Takeover: 1 } as const;

/** The state machine of §4.3. */
export const EmergencyStatus = { Invited: 0, Accepted: 1, Confirmed: 2, RecoveryInitiated: 3, RecoveryApproved: 4 } as const;

export const EMERGENCY_TYPE_NAMES: Record<number, string> = { 0: 'View', 1: 'Takeover' };
export const EMERGENCY_STATUS_NAMES: Record<number, string> = { 0: 'Invited', 1: 'Accepted', 2: 'Confirmed', 3: 'Access requested', 4: 'Access granted' };

interface Grant { id: string; status: number; type: number; waitTimeDays: number; email: string | null; name: string | null; creationDate?: string | null }

/** A trusted contact, as the grantor lists them (`emergencyAccessGranteeDetails`); `granteeId` is null until accepted. */
export interface TrustedContact extends Grant { granteeId: string | null }

/** A vault entrusted to the caller (`emergencyAccessGrantorDetails`). */
export interface GrantingContact extends Grant { grantorId: string }

export interface EmergencyView { ciphers: CipherResponse[]; keyEncrypted: string }

export class EmergencyApi {
  constructor(private readonly api: Api) {}

  async trusted(): Promise<TrustedContact[]> {
    return (await this.api.request<ListOf<TrustedContact>>('GET', '/api/emergency-access/trusted')).data;
  }

  async granted(): Promise<GrantingContact[]> {
    return (await this.api.request<ListOf<GrantingContact>>('GET', '/api/emergency-access/granted')).data;
  }

  invite(email: string, type: number, waitTimeDays: number): Promise<void> {
    return this.api.request('POST', '/api/emergency-access/invite', { email: email.trim(), type, waitTimeDays });
  }

  reinvite(id: string): Promise<void> {
    return this.api.request('POST', `/api/emergency-access/${id}/reinvite`);
  }

  update(id: string, type: number, waitTimeDays: number): Promise<void> {
    return this.api.request('PUT', `/api/emergency-access/${id}`, { type, waitTimeDays });
  }

  remove(id: string): Promise<void> {
    return this.api.request('DELETE', `/api/emergency-access/${id}`);
  }

  accept(id: string, token: string): Promise<void> {
    return this.api.request('POST', `/api/emergency-access/${id}/accept`, { token });
  }

  confirm(id: string, key: string): Promise<void> {
    return this.api.request('POST', `/api/emergency-access/${id}/confirm`, { key });
  }

  initiate(id: string): Promise<void> {
    return this.api.request('POST', `/api/emergency-access/${id}/initiate`);
  }

  approve(id: string): Promise<void> {
    return this.api.request('POST', `/api/emergency-access/${id}/approve`);
  }

  reject(id: string): Promise<void> {
    return this.api.request('POST', `/api/emergency-access/${id}/reject`);
  }

  view(id: string): Promise<EmergencyView> {
    return this.api.request('POST', `/api/emergency-access/${id}/view`);
  }

  /** A fresh short-lived download URL for one of the grantor's attachments (upstream's emergency attachment route). */
  async attachmentUrl(id: string, cipherId: string, attachmentId: string): Promise<string> {
    const a = await this.api.request<AttachmentResponse>('GET', `/api/emergency-access/${id}/${cipherId}/attachment/${encodeURIComponent(attachmentId)}`);
    if (!a.url) throw new Error('The server gave no download URL.');
    return a.url;
  }

  takeover(id: string): Promise<TakeoverAnswer> {
    return this.api.request('POST', `/api/emergency-access/${id}/takeover`);
  }

  password(id: string, body: unknown): Promise<void> {
    return this.api.request('POST', `/api/emergency-access/${id}/password`, body);
  }
}
