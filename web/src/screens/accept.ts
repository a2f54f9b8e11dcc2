import { errorText, h, message, replace } from '../dom';
import { currentRoute } from '../router';
import { vault } from '../vault';
import { organizationPhraseChecked, pinAcceptedOrganization } from '../orgguard';
import { ownFingerprint } from './fingerprint';
import { handleUnsafe } from './unsafe';

/**
 * The invitation link (#/accept-organization/?email=…&organizationName=…&organizationId=…&organizationUserId=…
 * &token=…&orgUserHasExistingUser=…, organizations doc §4.2), mailed by a server with e-mail, else passed on by the
 * inviter. A new address signs up (carrying the token, which stands in for e-mail verification and accepts at
 * registration); an existing account logs in and opens the link again, and signed in the link accepts with the token
 * (§4.3; without e-mail the server accepted it at invitation already). Then it shows the account's fingerprint phrase,
 * which the admin compares before confirming.
 */
export async function acceptScreen(root: HTMLElement): Promise<void> {
  const q = currentRoute().query;
  const orgName = q.get('organizationName') ?? 'an organization';
  const email = q.get('email') ?? '';
  const title = h('h1', {}, `Join ${orgName}`);
  if (!vault.loggedIn || !vault.unlocked) {
    const register = `#/register?email=${encodeURIComponent(email)}`
      + `&orgInviteToken=${encodeURIComponent(q.get('token') ?? '')}&organizationUserId=${encodeURIComponent(q.get('organizationUserId') ?? '')}`
      + `&organizationId=${encodeURIComponent(q.get('organizationId') ?? '')}`;
    replace(root, title,
      h('p', {}, `${email || 'You'} ${email ? 'is' : 'are'} invited to share items in ${orgName}.`),
      q.get('orgUserHasExistingUser') === 'false'
        ? h('p', {}, h('a', { href: register }, 'Create your account'), ' with this e-mail address: the invitation is accepted when the account is made.')
        : h('p', {}, h('a', { href: vault.loggedIn ? '#/lock' : '#/login' }, vault.loggedIn ? 'Unlock' : 'Log in'), ', then open this link again.'),
      h('p', { className: 'meta' }, 'An admin of the organization confirms you afterwards.'));
    return;
  }
  const status = h('div', { 'aria-live': 'polite' });
  replace(root, title, status);
  const orgId = q.get('organizationId');
  const memberId = q.get('organizationUserId');
  const token = q.get('token');
  let accepted = false;
  try {
    if (orgId && memberId && token) {
      await vault.orgApi.accept(orgId, memberId, token);
      accepted = true;
    }
    replace(status, message('info', `Your invitation to ${orgName} is accepted.`));
  } catch (err) {
    // Already accepted at invitation (an existing account): the server says so; the next step is the same.
    replace(status, message('info', errorText(err)));
  }
  // Joined here, so trusted here (accepted-here): its key is pinned at the first sync after an admin confirms.
  // The organization's own phrase lets the user compare it with an admin's; no recovery key is ever sent (BW01).
  let orgPhrase: string | null = null;
  try {
    orgPhrase = accepted ? await acceptedOrganizationPhrase(orgId!, orgName) : null;
  } catch (err) {
    if (handleUnsafe(err)) return;
    throw err;
  }
  if (orgPhrase) root.append(h('p', {}, `The fingerprint phrase of ${orgName}, which its admins see too: `, h('span', { className: 'fingerprint', 'data-testid': 'organization-fingerprint-phrase' }, orgPhrase)));
  root.append(
    h('p', {}, 'An admin confirms you after comparing your fingerprint phrase, which you read out to them over a channel this server does not carry:'),
    h('p', { className: 'fingerprint', 'data-testid': 'own-fingerprint-phrase' }, await ownFingerprint()));
}

/**
 * Pins the organization as accepted here, and returns its phrase (null when the server gives no public key). A key
 * other than one pinned for it before (created or accepted here earlier) is refused as `org-overwrite`.
 */
async function acceptedOrganizationPhrase(orgId: string, name: string): Promise<string | null> {
  const publicKey = await vault.orgApi.publicKey(orgId).then((k) => k.publicKey, () => null);
  const phrase = publicKey ? await organizationPhraseChecked(vault.email, orgId, name, publicKey) : null;
  await pinAcceptedOrganization(vault.email, orgId, publicKey);
  return phrase;
}
