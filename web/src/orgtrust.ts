// Which organizations and which people's public keys this browser trusts (malicious-server doc BW08, BW09, §3.13).
// The server decides who is a member of what and hands out every public key, and none of it is authenticated: an
// organization in a sync is used only when this browser pinned it (created here, accepted here, or the user said yes
// after seeing its fingerprint phrase), and only with the organization key it pinned; a person's key is wrapped to only
// after the user compared its phrase, and never when it differs from the key pinned for that person before.
import { unwrapKeyBytes, userKeyId } from './crypto';
import type { SyncResponse } from './models';
import type { AccountPins } from './pins';

/** The part of the pin record (pins.ts) this module reads and writes, keyed by lowercase ids. */
export type TrustPins = Pick<AccountPins, 'organizations' | 'people'>;
type OrganizationPin = AccountPins['organizations'][string];

/** What a sync's organization is to this browser. */
export type OrgStanding =
  /** Pinned, and served with the pinned key (or, accepted here and first confirmed now, with the key now pinned). */
  | { kind: 'trusted'; keyId: string | null; firstKey: boolean }
  /** Never pinned here: nothing of it is used until the user says they joined it (BW08). */
  | { kind: 'quarantined'; keyId: string | null }
  /** Pinned with another key: the server replaced the organization key (BW09); disabled in this browser. */
  | { kind: 'overwritten'; pinnedKeyId: string; servedKeyId: string | null };

/**
 * The key id (bitwarden.md §2.4, the COSE thumbprint the user key id uses) of a type-4 organization key opened with
 * the account's private key: what pins an organization to its key. The key's bytes never leave this function.
 */
export async function wrappedKeyId(wrapped: string, privateKey: CryptoKey): Promise<string> {
  const raw = await unwrapKeyBytes(wrapped, privateKey);
  try {
    return await userKeyId(raw);
  } finally {
    raw.fill(0);
  }
}

/**
 * Judges one organization of a sync against its pin. `servedKeyId` is the id of the key the sync wraps for this
 * account, null when it does not open. A pin without a key id (accepted here, confirmed since) takes the first key.
 */
export function judgeOrganization(pin: OrganizationPin | undefined, servedKeyId: string | null): OrgStanding {
  if (!pin) return { kind: 'quarantined', keyId: servedKeyId };
  if (pin.keyId === null) return { kind: 'trusted', keyId: servedKeyId, firstKey: servedKeyId !== null };
  if (pin.keyId !== servedKeyId) return { kind: 'overwritten', pinnedKeyId: pin.keyId, servedKeyId };
  return { kind: 'trusted', keyId: servedKeyId, firstKey: false };
}

/**
 * The sync as this browser may use it: only trusted organizations, and only their collections, items and policies
 * (a policy of an unpinned organization is ignored, malicious-server doc §3.13). Personal items stay, as do an item's
 * personal fields; an item of an untrusted organization is not listed, decrypted or offered anywhere.
 */
export function screenSync(body: SyncResponse, standings: ReadonlyMap<string, OrgStanding>): SyncResponse {
  const trusted = (orgId: string | null | undefined) => !!orgId && standings.get(orgId.toLowerCase())?.kind === 'trusted';
  return {
    ...body,
    profile: { ...body.profile, organizations: (body.profile.organizations ?? []).filter((o) => trusted(o.id)) },
    collections: (body.collections ?? []).filter((c) => trusted(c.organizationId)),
    ciphers: body.ciphers.filter((c) => !c.organizationId || trusted(c.organizationId)),
    policies: (body.policies ?? []).filter((p) => trusted(p.organizationId)),
  };
}

/**
 * Checks an organization's public key as the server gives it (for its phrase) against the digest pinned for that
 * organization, if any. Null when it may be shown; else the `org-overwrite` refusal (BW09: the key pair was replaced).
 */
export function checkOrganizationKey(pins: TrustPins, orgId: string, digest: string, name: string): PersonRefusal | null {
  const pinned = pins.organizations[orgId.toLowerCase()]?.publicKeySha256;
  if (!pinned || pinned === digest) return null;
  return {
    code: 'org-overwrite',
    sentence: `The server gave another public key for the organization “${name}” than the one this browser pinned `
      + `(${short(pinned)} → ${short(digest)}): its fingerprint phrase would be the server's, not the organization's.`,
  };
}

/** A person's key differs from the one pinned for them: the code and the sentence of the refusal. */
export interface PersonRefusal { code: string; sentence: string }

/**
 * Checks a public key the server gave for `userId` against this browser's pin for that person. Null when it may be
 * used (unpinned, or the same key); else the refusal, with `code` `confirm-pk-swap` (organization confirm) or
 * `ea-pk-swap` (emergency access confirm).
 */
export function checkPerson(pins: TrustPins, userId: string, digest: string, code: 'confirm-pk-swap' | 'ea-pk-swap', who: string): PersonRefusal | null {
  const pin = pins.people[userId.toLowerCase()];
  if (!pin || pin.publicKeySha256 === digest) return null;
  return {
    code,
    sentence: `The server gave another public key for ${who} than the one you compared by fingerprint phrase on ${pin.pinnedDate.slice(0, 10)} `
      + `(${short(pin.publicKeySha256)} → ${short(digest)}). Nothing was sent; their key stays the one you confirmed.`,
  };
}

/** Pins (or keeps) a person's key after the user compared its phrase. */
export function pinPerson(pins: TrustPins, userId: string, digest: string, relation: 'org-member' | 'grantee', now: Date): void {
  pins.people[userId.toLowerCase()] ??= { publicKeySha256: digest, relation, pinnedDate: now.toISOString() };
}

/** Pins an organization; an existing pin with a key id is never replaced (a changed key is refused, not re-pinned). */
export function pinOrganization(pins: TrustPins, orgId: string, origin: string, keyId: string | null, publicKeySha256: string | null, now: Date): void {
  const id = orgId.toLowerCase();
  const existing = pins.organizations[id];
  if (existing?.keyId) return;
  pins.organizations[id] = {
    origin: existing?.origin ?? origin,
    keyId: keyId ?? existing?.keyId ?? null,
    publicKeySha256: publicKeySha256 ?? existing?.publicKeySha256 ?? null,
    pinnedDate: existing?.pinnedDate ?? now.toISOString(),
    recoveryEnrolled: false,
  };
}

/** The first 8 characters of a digest or key id: enough to tell two apart in a sentence. */
export function short(value: string | null): string {
  return value ? value.slice(0, 8) : 'none';
}
