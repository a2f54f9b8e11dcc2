import { errorText, field, h, message, replace } from '../dom';
import { go } from '../router';
import { ask, hiddenOrganizations } from '../orgguard';
import { vault } from '../vault';
import { ownFingerprint } from './fingerprint';
import { firstTab } from './org';
import { TYPE_NAMES } from './org-context';

/**
 * The organizations the account is a Confirmed member of, and a form to create one (organizations doc §2.3):
 * the name, the billing e-mail the clients keep (the account's e-mail unless changed) and the first collection.
 */
export function orgsScreen(root: HTMLElement): void {
  const name = h('input', { type: 'text', name: 'orgName', required: true, maxlength: '50', autocomplete: 'organization' });
  const billing = h('input', { type: 'email', name: 'billingEmail', required: true, value: vault.email, maxlength: '256' });
  const collection = h('input', { type: 'text', name: 'collectionName', required: true, value: 'Default collection' });
  const status = h('div', { 'aria-live': 'polite' });
  const create = h('button', { type: 'submit' }, 'Create organization');
  const form = h('form', { className: 'card', 'aria-labelledby': 'new-org' },
    h('h2', { id: 'new-org' }, 'New organization'),
    field('Organization name', name), field('Billing e-mail', billing, 'Kept for the official clients; Coffer sends no bills.'),
    field('First collection', collection), status, h('div', { className: 'actions' }, create));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    create.disabled = true;
    replace(status, message('info', 'Creating keys…'));
    try {
      const id = await vault.createOrganization(name.value.trim(), billing.value.trim(), collection.value.trim());
      go(`/org/${id}/members`);
    } catch (err) {
      replace(status, message('error', errorText(err)));
      create.disabled = false;
    }
  });
  const orgs = vault.organizations;
  const phrase = h('p', { className: 'fingerprint', 'data-testid': 'own-fingerprint-phrase' }, '…');
  replace(root,
    h('h1', {}, 'Organizations'),
    orgs.length
      ? h('ul', { className: 'orgs', 'aria-label': 'Organizations' }, orgs.map((o) =>
          h('li', {}, h('a', { href: `#/org/${o.id}/${firstTab(o)}` }, o.name), ' ', h('span', { className: 'meta' }, TYPE_NAMES[o.type] ?? ''), ' ',
            h('a', { href: `#/vault?org=${o.id}` }, 'Items'))))
      : h('p', { className: 'meta' }, 'You are not a member of any organization. Create one to share items with others.'),
    hiddenSection(),
    form,
    h('section', { 'aria-labelledby': 'own-fingerprint' }, h('h2', { id: 'own-fingerprint' }, 'Your fingerprint phrase'),
      h('p', { className: 'meta' }, 'Read it out to an admin who confirms you, over a channel this server does not carry; their screen shows the same words.'),
      phrase));
  void ownFingerprint().then((p) => (phrase.textContent = p), () => (phrase.textContent = 'This account has no key pair.'));
}

/**
 * The organizations the last sync listed that this browser does not use (orgguard.ts): not joined here and not
 * confirmed by the user (asked once; "Review" asks again), or served with another key than pinned (disabled).
 */
function hiddenSection(): HTMLElement | null {
  const hidden = hiddenOrganizations();
  if (!hidden.length) return null;
  return h('section', { className: 'card', 'aria-labelledby': 'hidden-orgs' },
    h('h2', { id: 'hidden-orgs' }, 'Hidden organizations'),
    h('p', { className: 'meta' }, 'The server lists you as a member of these, but this browser uses nothing of them: their items, collections and policies stay hidden.'),
    h('ul', { 'aria-label': 'Hidden organizations' }, hidden.map((o) => h('li', { 'data-org-id': o.id }, o.name, ' ',
      o.standing.kind === 'overwritten'
        ? h('span', { className: 'meta' }, 'Disabled: the server replaced its key.')
        : h('button', { type: 'button', className: 'small secondary', 'aria-label': `Review ${o.name}`, onclick: () => void ask(o, vault.orgGuardContext()) }, 'Review')))));
}
