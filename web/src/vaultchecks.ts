// The vault checks of malicious-server doc BW04, BW05, BW10 and §3.13, against the per-cipher pins of pins.ts; the
// same rules, codes and field names as Coffer.Client's VaultIntegrity, so the CLI and the web vault agree:
//   the same EncString twice in one answer: refuse the whole sync (ciphertext-reused), nothing is pinned;
//   a known EncString at another (cipher, field): quarantine that item (ciphertext-moved);
//   a cipher that had a `key` arrives without: refuse that item (cipher-key-stripped);
//   another `type` for a known id: refuse that item (type-change);
//   `reprompt` 1 → 0 not made here: quarantine (meta-reprompt-off);
//   another `organizationId` not made here: quarantine (org-move);
//   an item `revisionDate` older than pinned: quarantine (item-rollback);
//   the account revision date older than pinned: warn (rollback);
//   pinned items missing that this browser did not delete: warn (vanish).
// Everything here reads plaintext metadata and ciphertext digests only, so it runs before anything is decrypted.
import { ServerIntegrityError, type IntegrityIssue } from './integrity';
import { ciphertextDigest, type AccountPins, type CipherPin, type CiphertextSite } from './pins';
import type { CipherResponse } from './models';

/** A finding about one item (cipherId set) or the whole account. */
export type VaultFinding = IntegrityIssue;

const IDENTITY = [
  'title', 'firstName', 'middleName', 'lastName', 'address1', 'address2', 'address3', 'city', 'state', 'postalCode', 'country',
  'company', 'email', 'phone', 'ssn', 'username', 'passportNumber', 'licenseNumber',
] as const;

const idOf = (id: string) => id.toLowerCase();

/**
 * Every EncString of a cipher with the field it sits in (`key`, `name`, `login.password`, `login.uris[].uri`,
 * `fields[].value`, …; list positions left out, so reordering is not a move), as (digest, site).
 */
export async function ciphertexts(cipher: CipherResponse): Promise<{ digest: string; site: CiphertextSite }[]> {
  const values: [string, unknown][] = [['key', cipher.key], ['name', cipher.name], ['notes', cipher.notes]];
  const l = cipher.login;
  if (l) {
    values.push(['login.username', l.username], ['login.password', l.password], ['login.totp', l.totp]);
    for (const u of l.uris ?? []) values.push(['login.uris[].uri', u.uri], ['login.uris[].uriChecksum', u.uriChecksum]);
  }
  const c = cipher.card;
  if (c) for (const f of ['cardholderName', 'brand', 'number', 'expMonth', 'expYear', 'code'] as const) values.push([`card.${f}`, c[f]]);
  const i = cipher.identity;
  if (i) for (const f of IDENTITY) values.push([`identity.${f}`, i[f]]);
  const s = (cipher as { sshKey?: Record<string, unknown> | null }).sshKey;
  if (s) for (const f of ['privateKey', 'publicKey', 'keyFingerprint']) values.push([`sshKey.${f}`, s[f]]);
  for (const f of cipher.fields ?? []) values.push(['fields[].name', f.name], ['fields[].value', f.value]);
  for (const p of cipher.passwordHistory ?? []) values.push(['passwordHistory[].password', p.password]);
  const owner = idOf(cipher.id);
  return Promise.all(values
    .filter((v): v is [string, string] => typeof v[1] === 'string' && v[1] !== '')
    .map(async ([field, value]) => ({ digest: await ciphertextDigest(value), site: { ownerId: owner, field } })));
}

/** What a sync says about one cipher, as pinned. */
export function pinOf(cipher: CipherResponse): CipherPin {
  return {
    revisionDate: cipher.revisionDate,
    hasKey: !!cipher.key,
    reprompt: cipher.reprompt ?? 0,
    type: cipher.type,
    organizationId: cipher.organizationId ? idOf(cipher.organizationId) : null,
  };
}

function time(date: string | null | undefined): number {
  return date ? Date.parse(date) : NaN;
}

function fmt(date: string): string {
  const t = time(date);
  return Number.isNaN(t) ? date : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z').replace('T', ' ');
}

const owner = (org: string | null) => (org ? `organization ${org}` : 'your own vault');

async function checkCipher(pins: AccountPins, cipher: CipherResponse, name: string): Promise<VaultFinding[]> {
  const id = idOf(cipher.id);
  const findings: VaultFinding[] = [];
  const pin = pins.ciphers[id];
  if (pin) {
    const now = pinOf(cipher);
    if (pin.type !== now.type) {
      findings.push({ code: 'type-change', kind: 'refuse', cipherId: id, before: String(pin.type), after: String(now.type),
        message: `The server changed the type of item ${name} (${pin.type} → ${now.type}); no client does that, so the item is refused.` });
    }
    if (pin.hasKey && !now.hasKey) {
      findings.push({ code: 'cipher-key-stripped', kind: 'refuse', cipherId: id,
        message: `The server sent item ${name} without the item key it had; the item is refused.` });
    }
    if (pin.reprompt === 1 && now.reprompt === 0) {
      findings.push({ code: 'meta-reprompt-off', kind: 'quarantine', cipherId: id, before: 'master password re-prompt on', after: 'off',
        message: `Item ${name}: master-password re-prompt was switched off by the server, not by you; the item is hidden until you review it.` });
    }
    if (pin.organizationId !== now.organizationId) {
      findings.push({ code: 'org-move', kind: 'quarantine', cipherId: id, before: owner(pin.organizationId), after: owner(now.organizationId),
        message: `Item ${name} moved from ${owner(pin.organizationId)} to ${owner(now.organizationId)} without you moving it here; it is hidden until you review it.` });
    }
    if (time(now.revisionDate) < time(pin.revisionDate)) {
      findings.push({ code: 'item-rollback', kind: 'quarantine', cipherId: id, before: fmt(pin.revisionDate), after: fmt(now.revisionDate),
        message: `The server served an older version of item ${name} (${fmt(now.revisionDate)}, last seen ${fmt(pin.revisionDate)}); it is hidden until you review it.` });
    }
  }
  for (const { digest, site } of await ciphertexts(cipher)) {
    const known = pins.ciphertextIndex[digest];
    if (known && (known.ownerId !== site.ownerId || known.field !== site.field)) {
      findings.push({ code: 'ciphertext-moved', kind: 'quarantine', cipherId: id, before: `${known.ownerId} ${known.field}`, after: `${site.ownerId} ${site.field}`,
        message: `Item ${name}: the server moved encrypted data between fields or items (seen at ${known.field === site.field ? 'another item' : known.field}, now in ${site.field}); the item is hidden until you review it.` });
      break;
    }
  }
  return findings;
}

/**
 * Checks a sync's ciphers against the pins without changing them. `accountRevision` is `GET
 * /api/accounts/revision-date` (null when unknown); `names` gives the item names to show (ids otherwise).
 * Throws `ciphertext-reused` (refuse) when one EncString occurs at two places of this answer.
 */
export async function checkVault(pins: AccountPins, ciphers: CipherResponse[], accountRevision: string | null, names: (id: string) => string = (id) => id): Promise<VaultFinding[]> {
  const seen = new Map<string, CiphertextSite>();
  for (const cipher of ciphers) {
    for (const { digest, site } of await ciphertexts(cipher)) {
      const first = seen.get(digest);
      if (first) {
        throw new ServerIntegrityError('ciphertext-reused',
          `The server sent one encrypted value twice (item ${names(first.ownerId)} ${first.field} and item ${names(site.ownerId)} ${site.field}); honest clients never do that, so nothing from this sync was used.`,
          { before: `${first.ownerId} ${first.field}`, after: `${site.ownerId} ${site.field}` });
      }
      seen.set(digest, site);
    }
  }
  const findings: VaultFinding[] = [];
  if (accountRevision && pins.accountRevisionDate && time(accountRevision) < time(pins.accountRevisionDate)) {
    findings.push({ code: 'rollback', kind: 'warn', before: fmt(pins.accountRevisionDate), after: fmt(accountRevision),
      message: `The server sent an older state of your vault (revision ${fmt(accountRevision)}, last seen ${fmt(pins.accountRevisionDate)}); changes made since may be missing.` });
  }
  for (const cipher of ciphers) findings.push(...(await checkCipher(pins, cipher, names(idOf(cipher.id)))));
  const present = new Set(ciphers.map((c) => idOf(c.id)));
  const vanished = Object.keys(pins.ciphers).filter((id) => !present.has(id)).sort();
  if (vanished.length > 0) {
    findings.push({ code: 'vanish', kind: 'warn',
      message: `${vanished.length} item(s) vanished since the last sync without being deleted here. Another app may have deleted them, or the server withheld them.` });
  }
  return findings;
}

/** The ids of the items the findings hide (quarantined or refused). */
export function held(findings: VaultFinding[]): Set<string> {
  return new Set(findings.filter((f) => f.kind !== 'warn' && f.cipherId).map((f) => f.cipherId!));
}

/**
 * Records a checked sync: every item not held gets its current pin and ciphertext-index entries; a held item keeps its
 * old pin and entries (so the next sync finds the same difference); items gone are forgotten (after the vanish
 * warning); the account revision date only moves forward.
 */
export async function acceptVault(pins: AccountPins, ciphers: CipherResponse[], accountRevision: string | null, findings: VaultFinding[]): Promise<void> {
  const hold = held(findings);
  const pinned: Record<string, CipherPin> = {};
  for (const [id, pin] of Object.entries(pins.ciphers)) if (hold.has(id)) pinned[id] = pin;
  const index: Record<string, CiphertextSite> = {};
  for (const [digest, site] of Object.entries(pins.ciphertextIndex)) if (hold.has(site.ownerId)) index[digest] = site;
  for (const cipher of ciphers) {
    const id = idOf(cipher.id);
    if (hold.has(id)) continue;
    pinned[id] = pinOf(cipher);
    for (const { digest, site } of await ciphertexts(cipher)) index[digest] = site;
  }
  pins.ciphers = pinned;
  pins.ciphertextIndex = index;
  pins.cipherKeysInUse ||= ciphers.some((c) => !!c.key);
  if (accountRevision && (!pins.accountRevisionDate || time(accountRevision) > time(pins.accountRevisionDate))) pins.accountRevisionDate = accountRevision;
}

/** The user accepted the server's version of an item (a reviewed quarantine, "I did this"): pin it as it is now. */
export async function acceptItem(pins: AccountPins, cipher: CipherResponse): Promise<void> {
  forgetIndex(pins, idOf(cipher.id));
  pinOwnWrite(pins, cipher);
  for (const { digest, site } of await ciphertexts(cipher)) pins.ciphertextIndex[digest] = site;
}

function forgetIndex(pins: AccountPins, id: string): void {
  for (const [digest, site] of Object.entries(pins.ciphertextIndex)) if (site.ownerId === id) delete pins.ciphertextIndex[digest];
}

/** A write of this browser (create, edit, share, restore): its echo becomes the pin, so the next sync does not count it as the server's. */
export function pinOwnWrite(pins: AccountPins, echo: CipherResponse): void {
  pins.ciphers[idOf(echo.id)] = pinOf(echo);
  pins.cipherKeysInUse ||= !!echo.key;
}

/** This browser deleted the item for good (or lost access to it by its own action): not a vanished item at the next sync. */
export function forgetOwnDelete(pins: AccountPins, cipherId: string): void {
  delete pins.ciphers[idOf(cipherId)];
  forgetIndex(pins, idOf(cipherId));
}

/**
 * The echo check after this browser created or updated a cipher (BW10 defence 3): the answer must carry the very `key`
 * EncString that was sent. If not, the item is pinned as keyed anyway (so a keyless copy is refused at the next sync)
 * and the write is refused (`cipher-key-dropped`); the caller keeps its own copy.
 */
export function checkEcho(pins: AccountPins, sent: { key?: string | null; type: number; reprompt: number }, echo: CipherResponse): void {
  if (!sent.key || sent.key === echo.key) {
    pinOwnWrite(pins, echo);
    return;
  }
  pins.ciphers[idOf(echo.id)] = { ...pinOf(echo), hasKey: true, type: sent.type, reprompt: sent.reprompt };
  pins.cipherKeysInUse = true;
  throw new ServerIntegrityError('cipher-key-dropped',
    'The server did not keep the item key this vault sent; the vault kept its own copy and will not use or upload the server\'s.', { cipherId: idOf(echo.id), kind: 'refuse' });
}
