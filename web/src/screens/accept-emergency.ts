import { errorText, h, message, replace } from '../dom';
import { currentRoute } from '../router';
import { vault } from '../vault';
import { ownFingerprint } from './fingerprint';

/** Where app.ts returns after log-in or unlock, so an invitation link opened while logged out still gets accepted. */
export const AFTER_LOGIN_KEY = 'coffer.afterLogin';

/**
 * The invitation link of emergency access (#/accept-emergency?id=…&name=…&email=…&token=…, sharing doc §4.7). Logged
 * out, it asks for log-in (or sign-up with the invited address) and comes back here; signed in, it accepts with the
 * token (§4.5 accept) and shows the account's fingerprint phrase, which the grantor compares before confirming.
 */
export async function acceptEmergencyScreen(root: HTMLElement): Promise<void> {
  const q = currentRoute().query;
  const grantor = q.get('name') || 'Someone';
  const email = q.get('email') ?? '';
  const title = h('h1', {}, 'Emergency access invitation');
  if (!vault.loggedIn || !vault.unlocked) {
    sessionStorage.setItem(AFTER_LOGIN_KEY, location.hash);
    replace(root, title,
      h('p', {}, `${grantor} has named ${email || 'you'} as an emergency contact: you may ask for access to their vault, which they can refuse during a waiting period.`),
      h('p', {}, h('a', { href: vault.loggedIn ? '#/lock' : '#/login' }, vault.loggedIn ? 'Unlock' : 'Log in'),
        ' to accept', email ? [', or ', h('a', { href: `#/register?email=${encodeURIComponent(email)}` }, 'create your account'), ' with this address first'] : null, '.'));
    return;
  }
  sessionStorage.removeItem(AFTER_LOGIN_KEY);
  const status = h('div', { 'aria-live': 'polite' });
  replace(root, title, status);
  const id = q.get('id');
  const token = q.get('token');
  try {
    if (!id || !token) throw new Error('This link has no invitation in it: open the whole link from the e-mail.');
    await vault.emergencyApi.accept(id, token);
    replace(status, message('info', `You accepted: ${grantor} now confirms you as an emergency contact.`));
  } catch (err) {
    replace(status, message('error', errorText(err)));
    return;
  }
  root.append(
    h('p', {}, `${grantor} confirms you after comparing your fingerprint phrase, which you read out to them over a channel this server does not carry:`),
    h('p', { className: 'fingerprint', 'data-testid': 'own-fingerprint-phrase' }, await ownFingerprint()),
    h('p', {}, h('a', { href: '#/settings/emergency' }, 'Emergency access settings')));
}
