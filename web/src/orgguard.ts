// The organization and person pins at work in the browser (malicious-server doc BW01, BW08, BW09, §3.13): the sync is
// screened before the vault uses it, an unpinned organization is asked about once, an overwritten one refused, and the
// confirm screens check the person's key against its pin. The rules themselves are in orgtrust.ts.
import { fingerprintPhrase, normalizeSalt, unwrapPrivateKey, type SymmetricKey } from './crypto';
import { ServerIntegrityError } from './integrity';
import type { SyncResponse } from './models';
import { checkOrganizationKey, checkPerson, judgeOrganization, pinOrganization, pinPerson, screenSync, short, wrappedKeyId, type OrgStanding } from './orgtrust';
import { createPins, defaultPinStore, OrganizationOrigin, publicKeyDigest, type AccountPins } from './pins';
import { wordList } from './screens/fingerprint';
import { handleUnsafe, showUnsafe } from './screens/unsafe';
import { vault } from './vault';

const store = defaultPinStore();

/**
 * Reads, changes and writes this account's pin record at once. The signed-in account's record goes through the vault
 * (vault.updatePins: the one copy its sync checks save too); another e-mail's (an account just registered, not yet
 * logged in) straight to the store, which its first login then reads.
 */
export async function updatePins(email: string, change: (pins: AccountPins) => void | Promise<void>): Promise<AccountPins> {
  if (vault.email && normalizeSalt(email) === vault.email) return vault.updatePins(change);
  const pins = (await store.load(location.origin, email)) ?? createPins(location.origin, email);
  await change(pins);
  await store.save(pins);
  return pins;
}

function readPins(email: string): Promise<AccountPins> {
  return updatePins(email, () => {});
}

/** An organization the last sync listed and this browser does not use. */
export interface HiddenOrganization { id: string; name: string; standing: OrgStanding }

/** What the screening needs of the vault: the organization's public key (for its phrase) and a fresh sync. */
export interface GuardContext {
  email: string;
  organizationPublicKey(orgId: string): Promise<string>;
  resync(): Promise<void>;
}

let hidden: HiddenOrganization[] = [];

/** The organizations of the last sync that are quarantined or disabled, for the Organizations screen. */
export function hiddenOrganizations(): readonly HiddenOrganization[] {
  return hidden;
}

// Asked once per browser tab session (sessionStorage: ids and key ids only): a quarantine question per organization
// key, and the refusal of an overwritten key; afterwards the organization stays hidden and is listed on the
// Organizations screen, where the question can be asked again.
const ASKED_KEY = 'coffer.orgQuestions';

function askedBefore(mark: string): boolean {
  const marks = JSON.parse(sessionStorage.getItem(ASKED_KEY) ?? '[]') as string[];
  if (marks.includes(mark)) return true;
  sessionStorage.setItem(ASKED_KEY, JSON.stringify([...marks, mark]));
  return false;
}

/**
 * Screens a sync before the vault uses anything of it: each organization key is opened with the account's private
 * key and its key id judged against the pin (orgtrust.judgeOrganization); an organization accepted here gets its first
 * key pinned. Returns the sync without the untrusted organizations' memberships, keys, collections, items and policies,
 * then asks about them in the background: the one-time quarantine question with the organization's fingerprint phrase
 * (BW08) or the `org-overwrite` refusal (BW09).
 */
export async function guardOrganizations(body: SyncResponse, userKey: SymmetricKey, context: GuardContext): Promise<SyncResponse> {
  const orgs = body.profile.organizations ?? [];
  const standings = new Map<string, OrgStanding>();
  if (orgs.length > 0) {
    const privateKey = body.profile.privateKey ? await unwrapPrivateKey(body.profile.privateKey, userKey).catch(() => null) : null;
    const keyIds = await Promise.all(orgs.map((o) => (privateKey && o.key ? wrappedKeyId(o.key, privateKey).catch(() => null) : Promise.resolve(null))));
    const pins = await readPins(context.email);
    const firstKeys: [string, string][] = [];
    orgs.forEach((o, i) => {
      const standing = judgeOrganization(pins.organizations[o.id.toLowerCase()], keyIds[i]!);
      standings.set(o.id.toLowerCase(), standing);
      if (standing.kind === 'trusted' && standing.firstKey) firstKeys.push([o.id, standing.keyId!]);
    });
    if (firstKeys.length) {
      await updatePins(context.email, (p) => {
        for (const [id, keyId] of firstKeys) pinOrganization(p, id, OrganizationOrigin.AcceptedHere, keyId, null, new Date());
      });
    }
  }
  hidden = orgs.filter((o) => standings.get(o.id.toLowerCase())!.kind !== 'trusted')
    .map((o) => ({ id: o.id.toLowerCase(), name: o.name, standing: standings.get(o.id.toLowerCase())! }));
  for (const org of hidden) {
    if (!askedBefore(`${context.email}|${org.id}|${standingKey(org.standing)}`)) void ask(org, context);
  }
  return screenSync(body, standings);
}

function standingKey(standing: OrgStanding): string {
  return standing.kind === 'overwritten' ? `overwritten:${standing.servedKeyId}` : `quarantined:${standing.kind === 'quarantined' ? standing.keyId : ''}`;
}

/** The organization's fingerprint phrase (its public key, with its id as material) and the key's digest. */
async function organizationPhrase(org: HiddenOrganization, context: GuardContext): Promise<{ phrase: string; digest: string } | null> {
  try {
    const publicKey = await context.organizationPublicKey(org.id);
    return { phrase: await fingerprintPhrase(publicKey, org.id, await wordList()), digest: await publicKeyDigest(publicKey) };
  } catch {
    return null;
  }
}

/**
 * Asks about one hidden organization: an overwritten key is refused (the session ends; the organization stays
 * disabled in this browser); a quarantined one gets the question, and "I did this" pins it with the key the sync
 * carried (`confirmed-by-user-prompt`) and syncs again so it appears.
 */
export async function ask(org: HiddenOrganization, context: GuardContext): Promise<void> {
  const { standing } = org;
  if (standing.kind === 'overwritten') {
    handleUnsafe(new ServerIntegrityError('org-overwrite',
      `The server replaced the key of the organization “${org.name}”: whoever made the new key could read everything shared in it. `
      + `Coffer keeps “${org.name}” disabled in this browser and uses nothing of it; ask its owner, over another channel, what happened.`,
      { before: `key ${short(standing.pinnedKeyId)}`, after: `key ${short(standing.servedKeyId)}` }));
    return;
  }
  if (standing.kind !== 'quarantined') return;
  const fingerprint = await organizationPhrase(org, context);
  const answer = await showUnsafe({
    code: 'org-inject',
    kind: 'quarantine',
    message: `You are now listed as a member of “${org.name}”, which you did not join in this browser. `
      + `Did you accept an invitation to it, perhaps from another app? Its fingerprint phrase is ${fingerprint?.phrase ?? '(unknown: the server gave no public key)'}; `
      + 'compare it with one of its admins over a channel this server does not carry. Until you say yes, its items stay hidden and nothing is shared with it.',
  });
  if (answer !== 'accept') return;
  await updatePins(context.email, (p) => pinOrganization(p, org.id, OrganizationOrigin.ConfirmedByUserPrompt, standing.keyId, fingerprint?.digest ?? null, new Date()));
  await context.resync();
}

/**
 * Pins an organization this browser just created (`created-here`), with the key it generated and its public key,
 * before the first sync that lists it (BW09): a sync serving another key for it is then refused.
 */
export async function pinCreatedOrganization(email: string, orgId: string, wrappedForCreator: string, orgPublicKey: string, privateKey: CryptoKey): Promise<void> {
  const keyId = await wrappedKeyId(wrappedForCreator, privateKey);
  const digest = await publicKeyDigest(orgPublicKey);
  await updatePins(email, (p) => pinOrganization(p, orgId, OrganizationOrigin.CreatedHere, keyId, digest, new Date()));
}

/**
 * Pins an organization whose invitation this browser accepted (`accepted-here`): its key is not known until an admin
 * confirms the membership, so the first key a later sync wraps for this account is pinned then.
 */
export async function pinAcceptedOrganization(email: string, orgId: string, orgPublicKey: string | null): Promise<void> {
  const digest = orgPublicKey ? await publicKeyDigest(orgPublicKey) : null;
  await updatePins(email, (p) => pinOrganization(p, orgId, OrganizationOrigin.AcceptedHere, null, digest, new Date()));
}

/**
 * Before wrapping a key for another user's public key (organization confirm, emergency access confirm): the key must
 * be the one pinned for that person, if any. Throws the `confirm-pk-swap` / `ea-pk-swap` refusal otherwise.
 */
export async function checkPersonKey(email: string, userId: string, publicKey: string, code: 'confirm-pk-swap' | 'ea-pk-swap', who: string): Promise<void> {
  const digest = await publicKeyDigest(publicKey);
  const refusal = checkPerson(await readPins(email), userId, digest, code, who);
  if (refusal) throw new ServerIntegrityError(refusal.code, refusal.sentence);
}

/** Pins a person's key once the user compared its phrase and confirmed (the first key stays pinned). */
export async function pinPersonKey(email: string, userId: string, publicKey: string, relation: 'org-member' | 'grantee'): Promise<void> {
  const digest = await publicKeyDigest(publicKey);
  await updatePins(email, (p) => pinPerson(p, userId, digest, relation, new Date()));
}

/**
 * The fingerprint phrase of an organization's public key as the server gives it, after checking that key against the
 * one pinned for the organization (created or accepted here): another key is refused as `org-overwrite`.
 */
export async function organizationPhraseChecked(email: string, orgId: string, name: string, publicKey: string): Promise<string> {
  const refusal = checkOrganizationKey(await readPins(email), orgId, await publicKeyDigest(publicKey), name);
  if (refusal) throw new ServerIntegrityError(refusal.code, refusal.sentence);
  return fingerprintPhrase(publicKey, orgId.toLowerCase(), await wordList());
}
