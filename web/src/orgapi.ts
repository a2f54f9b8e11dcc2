// The organization routes the web vault calls (organizations doc §0.1, §3–§6), with the request shapes of the
// official web vault. Everything sent is already encrypted (collection names, wrapped keys) or plain metadata.
import type { Api } from './api';
import type {
  CipherRequest, CipherResponse, CollectionAccessDetails, EventResponse, GroupResponse, MemberDetails, Permissions,
  PolicyResponse, Selection,
} from './models';

interface ListOf<T> { data: T[] }

export interface OrganizationCreate {
  name: string;
  billingEmail: string;
  key: string;
  keys: { publicKey: string; encryptedPrivateKey: string };
  collectionName: string;
}

export interface Invitation { id: string; email: string; status: number; invitationUrl?: string | null }

export interface MemberUpdate {
  type: number;
  permissions?: Partial<Permissions> | null;
  collections: Selection[];
  groups: string[];
}

export interface CollectionRequest { name: string; externalId?: string | null; users: Selection[] | null; groups: Selection[] | null }

export interface GroupRequest { name: string; collections: Selection[]; users: string[] }

const org = (id: string) => `/api/organizations/${id}`;

export class OrgApi {
  constructor(private readonly api: Api) {}

  /** The free, unlimited plan path of the web vault's plan page (§2.3 a). */
  create(body: OrganizationCreate): Promise<{ id: string }> {
    return this.api.request('POST', '/api/organizations', { ...body, planType: 0, initiationPath: 'New organization creation in-product', useSecretsManager: false });
  }

  delete(id: string, masterPasswordHash: string): Promise<void> {
    return this.api.request('DELETE', org(id), { masterPasswordHash });
  }

  /** The organization's public key (Base64 SPKI), for its fingerprint phrase (organizations doc §3.2). */
  publicKey(id: string): Promise<{ publicKey: string }> {
    return this.api.request('GET', `${org(id)}/public-key`);
  }

  leave(id: string): Promise<void> {
    return this.api.request('POST', `${org(id)}/leave`);
  }

  // ---------- members (§4) ----------

  async members(id: string): Promise<MemberDetails[]> {
    return (await this.api.request<ListOf<MemberDetails>>('GET', `${org(id)}/users?includeCollections=true&includeGroups=true`)).data;
  }

  /** Answers one invitation per address; without e-mail delivery each carries the link to pass on (§4.2). */
  async invite(id: string, email: string, update: MemberUpdate): Promise<Invitation[]> {
    const body = await this.api.request<ListOf<Invitation> | Invitation[] | Invitation | null>('POST', `${org(id)}/users/invite`, {
      emails: [email], type: update.type, permissions: update.permissions ?? null, collections: update.collections, groups: update.groups, accessSecretsManager: false,
    });
    if (!body) return [];
    if (Array.isArray(body)) return body;
    return 'data' in body ? body.data : [body];
  }

  accept(id: string, memberId: string, token: string): Promise<void> {
    return this.api.request('POST', `${org(id)}/users/${memberId}/accept`, { token, resetPasswordKey: null });
  }

  userPublicKey(userId: string): Promise<{ userId: string; publicKey: string }> {
    return this.api.request('GET', `/api/users/${userId}/public-key`);
  }

  confirm(id: string, memberId: string, key: string): Promise<void> {
    return this.api.request('POST', `${org(id)}/users/${memberId}/confirm`, { key });
  }

  updateMember(id: string, memberId: string, update: MemberUpdate): Promise<void> {
    return this.api.request('PUT', `${org(id)}/users/${memberId}`, { ...update, accessSecretsManager: false });
  }

  revoke(id: string, memberId: string): Promise<void> {
    return this.api.request('PUT', `${org(id)}/users/${memberId}/revoke`);
  }

  restore(id: string, memberId: string): Promise<void> {
    return this.api.request('PUT', `${org(id)}/users/${memberId}/restore`);
  }

  remove(id: string, memberId: string): Promise<void> {
    return this.api.request('DELETE', `${org(id)}/users/${memberId}`);
  }

  // ---------- collections (§5) ----------

  async collections(id: string): Promise<CollectionAccessDetails[]> {
    return (await this.api.request<ListOf<CollectionAccessDetails>>('GET', `${org(id)}/collections/details`)).data;
  }

  createCollection(id: string, body: CollectionRequest): Promise<CollectionAccessDetails> {
    return this.api.request('POST', `${org(id)}/collections`, body);
  }

  updateCollection(id: string, collectionId: string, body: CollectionRequest): Promise<CollectionAccessDetails> {
    return this.api.request('PUT', `${org(id)}/collections/${collectionId}`, body);
  }

  deleteCollection(id: string, collectionId: string): Promise<void> {
    return this.api.request('DELETE', `${org(id)}/collections/${collectionId}`);
  }

  // ---------- groups (§1.5) ----------

  async groups(id: string): Promise<GroupResponse[]> {
    return (await this.api.request<ListOf<GroupResponse>>('GET', `${org(id)}/groups/details`)).data;
  }

  async groupMembers(id: string, groupId: string): Promise<string[]> {
    return this.api.request('GET', `${org(id)}/groups/${groupId}/users`);
  }

  createGroup(id: string, body: GroupRequest): Promise<GroupResponse> {
    return this.api.request('POST', `${org(id)}/groups`, body);
  }

  updateGroup(id: string, groupId: string, body: GroupRequest): Promise<GroupResponse> {
    return this.api.request('PUT', `${org(id)}/groups/${groupId}`, body);
  }

  deleteGroup(id: string, groupId: string): Promise<void> {
    return this.api.request('DELETE', `${org(id)}/groups/${groupId}`);
  }

  // ---------- policies (§1.6) and events (§6.5) ----------

  async policies(id: string): Promise<PolicyResponse[]> {
    return (await this.api.request<ListOf<PolicyResponse>>('GET', `${org(id)}/policies`)).data;
  }

  savePolicy(id: string, type: number, enabled: boolean, data: Record<string, unknown> | null): Promise<PolicyResponse> {
    return this.api.request('PUT', `${org(id)}/policies/${type}`, { type, enabled, data });
  }

  async events(id: string, start: string, end: string): Promise<EventResponse[]> {
    const query = new URLSearchParams({ start, end });
    return (await this.api.request<ListOf<EventResponse>>('GET', `${org(id)}/events?${query}`)).data;
  }

  // ---------- organization items (§2.6, §6) ----------

  createItem(cipher: CipherRequest, collectionIds: string[]): Promise<CipherResponse> {
    return this.api.request('POST', '/api/ciphers/create', { cipher, collectionIds });
  }

  share(cipherId: string, cipher: CipherRequest, collectionIds: string[]): Promise<CipherResponse> {
    return this.api.request('PUT', `/api/ciphers/${cipherId}/share`, { cipher, collectionIds });
  }

  /** The wrapper of §6.2: `unavailable` when the caller lost access by the change. */
  setCollections(cipherId: string, collectionIds: string[]): Promise<{ cipher: CipherResponse | null; unavailable: boolean }> {
    return this.api.request('PUT', `/api/ciphers/${cipherId}/collections_v2`, { collectionIds });
  }
}
