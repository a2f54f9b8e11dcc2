// Settings sections for WebAuthn and e-mailed codes: passkeys (log in without the master password, and with PRF
// unlock the vault too; sharing doc §5.6), security keys as the second step of a password login (provider 7, §5.2)
// and two-step login by e-mail (provider 1). Every change proves the master password first.
import { makePrfKeySet, passkeyPrfSalt, randomBytes } from '../crypto';
import { errorText, field, h, message, replace } from '../dom';
import { vault } from '../vault';
import { createCredential, attestationJson, getAssertion, webAuthnAvailable } from '../webauthn';
import { keysOf, WebAuthnApi, type PasskeyView, type SecurityKeysView } from '../webauthnapi';
import { actionForm, passwordInput, section } from './settings';

const webauthn = () => new WebAuthnApi(vault.api);

const unavailable = () => h('p', {}, 'This browser cannot use passkeys or security keys here (WebAuthn needs HTTPS and the server\'s public address).');

const PRF_STATUS = ['Unlocks the vault', 'Logs in; unlock with the master password', 'Logs in; unlock with the master password'];

/**
 * A passkey is created with PRF when the authenticator has it; a second ceremony (an assertion by the new passkey,
 * over a challenge of our own that the server never checks) evaluates PRF, and the key set made from its output lets
 * the passkey unlock the vault.
 */
export function passkeysSection(): HTMLElement {
  const list = h('ul', { className: 'devices', 'aria-label': 'Passkeys' });
  const status = h('div', { 'aria-live': 'polite' });
  const remove = h('select', { name: 'passkey' });
  let passkeys: PasskeyView[] = [];
  const load = async () => {
    try {
      passkeys = await webauthn().passkeys();
      replace(list, passkeys.length === 0 ? h('li', {}, 'No passkeys yet.') : passkeys.map((p) =>
        h('li', { 'data-testid': 'passkey' }, h('span', { className: 'name' }, p.name), ' ', h('span', { className: 'meta' }, PRF_STATUS[p.prfStatus] ?? ''))));
      replace(remove, passkeys.map((p) => h('option', { value: p.id }, p.name)));
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  };
  void load();
  if (!webAuthnAvailable()) return section('Passkeys', unavailable(), list);

  const name = h('input', { type: 'text', name: 'passkeyName', maxlength: '50', required: true, autocomplete: 'off' });
  const password = passwordInput('passkeyPassword');
  const create = actionForm('Create passkey', [field('Passkey name', name), field('Master password', password)], async (out) => {
    const hash = await vault.verificationHash(password.value);
    const { options, token } = await webauthn().passkeyCreationOptions(hash);
    const { credential, prfEnabled } = await createCredential(options, true);
    let keys = {};
    if (prfEnabled) {
      const { prf } = await getAssertion(
        { challenge: randomBytes(32), rpId: (options.rp as { id?: string }).id, allowCredentials: [{ type: 'public-key', id: credential.rawId }], userVerification: 'required' },
        await passkeyPrfSalt());
      if (prf) {
        const userKey = await vault.userKeyBytes(password.value);
        try {
          keys = await makePrfKeySet(prf, userKey, vault.currentUserKey());
        } finally {
          userKey.fill(0);
          prf.fill(0);
        }
      }
    }
    const saved = await webauthn().savePasskey({ deviceResponse: attestationJson(credential), name: name.value.trim(), token, supportsPrf: prfEnabled, ...keys });
    password.value = '';
    name.value = '';
    await load();
    replace(out, message('info', saved.prfStatus === 0 ? 'Passkey created: it logs in and unlocks the vault.' : 'Passkey created: it logs in; this authenticator cannot unlock the vault, so the master password still does.'));
  });
  const removePassword = passwordInput('removePasskeyPassword');
  const removeForm = actionForm('Remove passkey', [field('Passkey', remove), field('Master password', removePassword)], async (out) => {
    if (!remove.value) throw new Error('There is no passkey to remove.');
    await webauthn().deletePasskey(remove.value, await vault.verificationHash(removePassword.value));
    removePassword.value = '';
    await load();
    replace(out, message('info', 'Passkey removed.'));
  }, true);
  return section('Passkeys', h('p', {}, 'Log in with a passkey instead of your e-mail and master password. With an authenticator that supports PRF, the passkey unlocks the vault too.'),
    list, status, create, removeForm);
}

/** Security keys as the second step after the master password (two-step provider 7): at most 5, each with a name. */
export function securityKeysSection(): HTMLElement {
  const body = h('div', {});
  if (!webAuthnAvailable()) return section('Security keys', unavailable());
  const password = passwordInput('securityKeyPassword');
  const open = actionForm('Manage security keys', [field('Master password', password)], async () => {
    const hash = await vault.verificationHash(password.value);
    show(keysOf(await webauthn().securityKeys(hash)), hash);
  });
  const show = (view: SecurityKeysView, hash: string) => {
    const token = view.userVerificationToken;
    const status = h('div', { 'aria-live': 'polite' });
    const name = h('input', { type: 'text', name: 'securityKeyName', maxlength: '50', required: true, autocomplete: 'off' });
    const register = actionForm('Register security key', [field('Security key name', name)], async () => {
      const used = new Set(view.keys.map((k) => k.id));
      const slot = [1, 2, 3, 4, 5].find((id) => !used.has(id));
      if (slot === undefined) throw new Error('At most 5 security keys can be registered.');
      const { options } = await webauthn().securityKeyChallenge(hash, token);
      const { credential } = await createCredential(options, false);
      const next = keysOf(await webauthn().addSecurityKey({ id: slot, name: name.value.trim(), deviceResponse: attestationJson(credential), masterPasswordHash: hash, userVerificationToken: token }));
      vault.twoFactorEnabled = true;
      show({ ...next, userVerificationToken: token }, hash);
      body.prepend(message('info', 'Security key registered: logins now ask for it after the master password.'));
    });
    replace(body,
      h('ul', { className: 'devices', 'aria-label': 'Security keys' }, view.keys.length === 0 ? h('li', {}, 'No security keys yet.') : view.keys.map((k) =>
        h('li', { 'data-testid': 'security-key' }, h('span', { className: 'name' }, k.name), ' ',
          h('button', { type: 'button', className: 'small danger', 'aria-label': `Remove ${k.name}`, onclick: async () => {
            try {
              const next = keysOf(await webauthn().removeSecurityKey(k.id, hash, token));
              show({ ...next, userVerificationToken: token }, hash);
            } catch (err) {
              replace(status, message('error', errorText(err)));
            }
          } }, 'Remove')))),
      status, register);
  };
  replace(body, h('p', {}, 'Ask for a security key (or a passkey on this device) after the master password at every login.'), open);
  return section('Security keys', body);
}

/** Two-step login by e-mailed code (provider 1): turned on with a code mailed to the address. */
export function emailTwoFactorSection(): HTMLElement {
  const body = h('div', {});
  const password = passwordInput('emailTwoFactorPassword');
  const open = actionForm('Manage e-mail codes', [field('Master password', password)], async () => {
    const hash = await vault.verificationHash(password.value);
    const settings = await webauthn().emailSettings(hash);
    if (settings.enabled) {
      replace(body, h('p', {}, `Login codes are mailed to ${settings.email ?? 'your address'}.`),
        actionForm('Turn off e-mail codes', [], async () => {
          await webauthn().disableProvider(1, hash);
          replace(body, message('info', 'E-mail codes are off.'));
        }, true));
      return;
    }
    const address = h('input', { type: 'email', name: 'twoFactorEmail', required: true, value: settings.email ?? vault.email });
    replace(body, actionForm('Send code', [field('Send login codes to', address)], async () => {
      await webauthn().sendEmailSetupCode(address.value.trim(), hash, settings.userVerificationToken);
      const code = h('input', { type: 'text', name: 'emailCode', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
      replace(body, h('p', {}, `A code was mailed to ${address.value.trim()}.`), actionForm('Turn on', [field('Code from the e-mail', code)], async () => {
        await webauthn().enableEmail(address.value.trim(), code.value.replace(/\s/g, ''), hash, settings.userVerificationToken);
        vault.twoFactorEnabled = true;
        replace(body, message('info', 'E-mail codes are on: logins ask for a mailed code after the master password.'));
      }));
      code.focus();
    }));
  });
  replace(body, h('p', {}, 'Ask for a code mailed to you after the master password at every login.'), open);
  return section('E-mail codes', body);
}
