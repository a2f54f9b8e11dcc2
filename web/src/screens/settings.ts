import QRCode from 'qrcode';
import { kdfWire, type Device } from '../api';
import { KdfType, rewrapUserKey, type KdfConfig } from '../crypto';
import { errorText, field, h, message, replace } from '../dom';
import { idleMinutes, setIdleMinutes } from '../idle';
import { go } from '../router';
import { passwordStrength } from '../strength';
import type { RotationPlan } from '../rotation';
import { deviceInfo, vault } from '../vault';
import { phraseOf } from './fingerprint';
import { pinPersonKey } from '../orgguard';
import { handleUnsafe } from './unsafe';
import { emailTwoFactorSection, passkeysSection, securityKeysSection } from './webauthn-settings';

type Section = (root: HTMLElement) => HTMLElement;

/** Settings: lock timeout, master password, KDF, two-step login, sessions, log out everywhere. */
export function settingsScreen(root: HTMLElement): void {
  const sections: Section[] = [lockSection, passwordSection, kdfSection, rotateKeySection, twoFactorSection, securityKeysSection, emailTwoFactorSection, passkeysSection, emergencySection, sessionsSection, logoutSection];
  replace(root, h('h1', {}, 'Settings'), sections.map((s) => s(root)));
}

export function section(title: string, ...content: (HTMLElement | null)[]): HTMLElement {
  const id = `settings-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return h('section', { className: 'card', 'aria-labelledby': id }, h('h2', { id }, title), content);
}

/** A form whose submit runs an async action with its own status line and a disabled button meanwhile. */
export function actionForm(button: string, fields: HTMLElement[], action: (status: HTMLElement) => Promise<void>, danger = false): HTMLFormElement {
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', className: danger ? 'danger' : null }, button);
  const form = h('form', {}, fields, status, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    replace(status, message('info', 'Working…'));
    try {
      await action(status);
    } catch (err) {
      replace(status, message('error', errorText(err)));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export const passwordInput = (name: string, autocomplete = 'current-password') => h('input', { type: 'password', name, autocomplete, required: true });

/** After a password, KDF or session change the server has ended every session, this one included. */
function loggedOutEverywhere(text: string): void {
  vault.forget();
  go('/login');
  setTimeout(() => document.querySelector('form')?.prepend(message('info', text)), 0);
}

function emergencySection(): HTMLElement {
  return section('Emergency access',
    h('p', {}, 'Name trusted contacts who may view or take over your vault after a waiting period you can cut short or refuse, and see the vaults others entrust to you.'),
    h('p', {}, h('a', { href: '#/settings/emergency' }, 'Manage emergency access')));
}

function lockSection(): HTMLElement {
  const select = h('select', { name: 'idleMinutes' },
    [1, 5, 15, 30, 60, 240, 0].map((m) => h('option', { value: String(m) }, m === 0 ? 'Never' : m < 60 ? `${m} minute${m === 1 ? '' : 's'}` : `${m / 60} hour${m === 60 ? '' : 's'}`)));
  select.value = String(idleMinutes());
  const status = h('div', { 'aria-live': 'polite' });
  select.addEventListener('change', () => {
    setIdleMinutes(Number(select.value));
    replace(status, message('info', 'Saved.'));
  });
  return section('Vault timeout', h('p', {}, 'Lock the vault (and drop its keys from memory) after this long without activity.'), field('Lock after', select), status);
}

function passwordSection(): HTMLElement {
  const current = passwordInput('currentPassword');
  const next = passwordInput('newPassword', 'new-password');
  const confirm = passwordInput('confirmPassword', 'new-password');
  const hint = h('input', { type: 'text', name: 'hint', maxlength: '50', autocomplete: 'off' });
  const strength = h('p', { className: 'meta', 'aria-live': 'polite' });
  next.addEventListener('input', async () => {
    const s = next.value ? await passwordStrength(next.value, [vault.email]) : null;
    strength.textContent = s ? `Strength: ${s.label}. ${s.feedback}` : '';
  });
  return section('Change master password',
    actionForm('Change master password', [field('Current master password', current), field('New master password', next), strength, field('Confirm new master password', confirm), field('New hint (optional)', hint)], async () => {
      if (next.value.length < 12) throw new Error('The new master password needs at least 12 characters.');
      if (next.value !== confirm.value) throw new Error('The two new master passwords differ.');
      const kdf = vault.kdf!;
      const r = await rewrapUserKey(vault.protectedUserKey, vault.email, { password: current.value, kdf }, { password: next.value, kdf }).catch(() => {
        throw new Error('Invalid master password.');
      });
      const wire = kdfWire(kdf).object;
      await vault.api.changePassword({
        masterPasswordHash: r.currentHash,
        newMasterPasswordHash: r.masterPasswordHash,
        masterPasswordHint: hint.value || null,
        key: r.protectedUserKey,
        authenticationData: { salt: r.salt, kdf: wire, masterPasswordAuthenticationHash: r.masterPasswordHash },
        unlockData: { salt: r.salt, kdf: wire, masterKeyWrappedUserKey: r.protectedUserKey },
      });
      loggedOutEverywhere('Master password changed. Log in again with the new one.');
    }));
}

function kdfSection(): HTMLElement {
  const kdf = vault.kdf!;
  const type = h('select', { name: 'kdfType' }, h('option', { value: '0' }, 'PBKDF2 SHA-256'), h('option', { value: '1' }, 'Argon2id'));
  type.value = String(kdf.kdfType);
  const iterations = h('input', { type: 'number', name: 'kdfIterations', required: true, value: kdf.iterations });
  const memory = h('input', { type: 'number', name: 'kdfMemory', min: '16', max: '1024', value: kdf.memory ?? 64 });
  const parallelism = h('input', { type: 'number', name: 'kdfParallelism', min: '1', max: '16', value: kdf.parallelism ?? 4 });
  const argonFields = h('div', {}, field('Memory (MiB)', memory), field('Parallelism', parallelism));
  const sync = () => {
    const argon = type.value === '1';
    argonFields.hidden = !argon;
    iterations.min = argon ? '2' : '600000';
    iterations.max = argon ? '10' : '2000000';
  };
  type.addEventListener('change', () => {
    iterations.value = type.value === '1' ? '3' : '600000';
    sync();
  });
  sync();
  const password = passwordInput('kdfPassword');
  return section('Key derivation (KDF)',
    h('p', {}, `Now: ${kdf.kdfType === KdfType.Argon2id ? `Argon2id, ${kdf.iterations} iterations, ${kdf.memory} MiB, parallelism ${kdf.parallelism}` : `PBKDF2 SHA-256, ${kdf.iterations.toLocaleString()} iterations`}. Changing it logs out every session.`),
    actionForm('Change KDF', [field('Algorithm', type), field('Iterations', iterations), argonFields, field('Master password', password)], async () => {
      const argon = type.value === '1';
      const next: KdfConfig = argon
        ? { kdfType: KdfType.Argon2id, iterations: Number(iterations.value), memory: Number(memory.value), parallelism: Number(parallelism.value) }
        : { kdfType: KdfType.Pbkdf2Sha256, iterations: Number(iterations.value) };
      const r = await rewrapUserKey(vault.protectedUserKey, vault.email, { password: password.value, kdf: vault.kdf! }, { password: password.value, kdf: next }).catch(() => {
        throw new Error('Invalid master password.');
      });
      const wire = kdfWire(next);
      await vault.api.changeKdf({
        masterPasswordHash: r.currentHash,
        authenticationData: { salt: r.salt, kdf: wire.object, masterPasswordAuthenticationHash: r.masterPasswordHash },
        unlockData: { salt: r.salt, kdf: wire.object, masterKeyWrappedUserKey: r.protectedUserKey },
        newMasterPasswordHash: r.masterPasswordHash,
        key: r.protectedUserKey,
        ...wire.flat,
      });
      // This browser made the change: its KDF pin follows, so the next login here is not taken for a downgrade.
      await vault.pinOwnKdfChange(next);
      loggedOutEverywhere('KDF changed. Log in again.');
    }));
}

/**
 * Settings → Rotate your account's encryption key (account doc §3.3, malicious-server doc BW02): the master password,
 * then a confirmation listing who receives the new key (each emergency contact with its fingerprint phrase; one not
 * compared before must be compared now) and which organizations get none, then the rotation. A refusal of the
 * rotation data (org-overwrite, ea-pk-swap) ends the session with the "unsafe" dialog; nothing is sent.
 */
function rotateKeySection(): HTMLElement {
  const body = h('div', {});
  const start = () => {
    const password = passwordInput('rotatePassword');
    replace(body,
      h('p', {}, 'Replaces the key that encrypts your vault and re-encrypts every item, folder and Send under a new one, in one request. Do it if you fear your key was exposed. Every other session is logged out; your master password stays the same.'),
      actionForm('Continue', [field('Master password', password)], async (status) => {
        await vault.verificationHash(password.value);
        let plan: RotationPlan;
        try {
          plan = await vault.planRotation();
        } catch (err) {
          if (handleUnsafe(err)) return;
          throw err;
        }
        replace(status);
        await confirmRotation(password.value, plan);
      }));
  };
  const confirmRotation = async (password: string, plan: RotationPlan) => {
    const ticks: HTMLInputElement[] = [];
    const grantees = await Promise.all(plan.grantees.map(async (g) => {
      const phrase = h('span', { className: 'fingerprint', 'data-testid': 'rotation-fingerprint-phrase' }, await phraseOf(g.granteeId, g.publicKey));
      if (g.pinned) return h('li', { 'data-grantee': g.email }, `${g.email} (emergency contact, fingerprint phrase confirmed earlier): `, phrase);
      const tick = h('input', { type: 'checkbox', name: 'rotationPhraseCompared', required: true });
      ticks.push(tick);
      return h('li', { 'data-grantee': g.email }, `${g.email} (emergency contact, not confirmed in this browser): ask them for the fingerprint phrase their own client shows, over a channel this server does not carry. Go on only if it is the same: `, phrase,
        h('div', { className: 'field checkbox' }, h('label', {}, tick, ` ${g.email} read me the same phrase`)));
    }));
    const status = h('div', { 'aria-live': 'polite' });
    const rotate = h('button', { type: 'submit', className: 'danger' }, 'Rotate key');
    const form = h('form', { 'aria-label': 'Confirm the key rotation' },
      h('h3', {}, 'Who receives the new key'),
      grantees.length ? h('ul', { 'aria-label': 'Receive the new key' }, grantees) : h('p', {}, 'Nobody but you: you have no confirmed emergency contacts.'),
      plan.passkeys.length ? h('p', {}, plan.passkeys.length === 1 ? 'Your passkey with log-in encryption keeps unlocking your vault.' : `Your ${plan.passkeys.length} passkeys with log-in encryption keep unlocking your vault.`) : null,
      plan.organizations.length ? h('ul', { 'aria-label': 'Organizations left out' }, plan.organizations.map((o) => h('li', {}, o))) : null,
      status,
      h('div', { className: 'actions' }, rotate, h('button', { type: 'button', className: 'secondary', onclick: start }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (ticks.some((t) => !t.checked)) return;
      rotate.disabled = true;
      replace(status, message('info', 'Re-encrypting your vault under a new key…'));
      try {
        for (const g of plan.grantees.filter((x) => !x.pinned)) await pinPersonKey(vault.email, g.granteeId, g.publicKey, 'grantee');
        const { items, relogin } = await vault.rotateUserKey(password, plan);
        const count = `${items} item${items === 1 ? '' : 's'} re-encrypted`;
        if (!relogin) {
          loggedOutEverywhere(`Your account's encryption key was rotated (${count}). Every session has ended; log in again.`);
          return;
        }
        start();
        body.prepend(message('info', `Your account's encryption key was rotated: ${count}. Every other session has ended.`));
      } catch (err) {
        if (handleUnsafe(err)) return;
        replace(status, message('error', errorText(err)));
        rotate.disabled = false;
      }
    });
    replace(body, form);
  };
  start();
  return section('Rotate your account\'s encryption key', body);
}

function twoFactorSection(): HTMLElement {
  const body = h('div', {});
  const show = () => {
    const password = passwordInput('twoFactorPassword');
    if (vault.twoFactorEnabled) {
      replace(body,
        h('p', {}, 'Two-step login with an authenticator app is on.'),
        actionForm('Show recovery code', [field('Master password', password)], async (status) => {
          const { code } = await vault.api.recoveryCode(await vault.verificationHash(password.value));
          replace(status, h('p', {}, 'Recovery code: ', h('code', { 'data-testid': 'recovery-code' }, code ?? '(none)'), '. Keep it somewhere safe; it turns two-step login off if you lose your phone.'));
        }),
        actionForm('Turn off two-step login', [field('Master password (to turn off)', passwordInput('disablePassword'))], async () => {
          const input = body.querySelector<HTMLInputElement>('input[name=disablePassword]')!;
          const hash = await vault.verificationHash(input.value);
          const current = await vault.api.getAuthenticator(hash);
          await vault.api.disableAuthenticator({ key: current.key, masterPasswordHash: hash, userVerificationToken: current.userVerificationToken });
          vault.twoFactorEnabled = false;
          show();
        }, true));
      return;
    }
    replace(body,
      h('p', {}, 'Ask for a 6-digit code from an authenticator app at every login.'),
      actionForm('Set up authenticator app', [field('Master password', password)], async () => {
        const hash = await vault.verificationHash(password.value);
        const setup = await vault.api.getAuthenticator(hash);
        const uri = `otpauth://totp/${encodeURIComponent(`Coffer:${vault.email}`)}?secret=${setup.key}&issuer=Coffer`;
        const qr = await QRCode.toDataURL(uri, { margin: 1, width: 220 });
        const code = h('input', { type: 'text', name: 'verificationCode', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, pattern: '[0-9 ]{6,7}' });
        replace(body,
          h('p', {}, 'Scan this QR code with your authenticator app, or type the key by hand. Then enter the code it shows.'),
          h('img', { src: qr, alt: `QR code for the authenticator key ${setup.key}`, width: '220', height: '220', className: 'qr' }),
          h('p', {}, 'Key: ', h('code', { 'data-testid': 'authenticator-key' }, setup.key.replace(/(.{4})/g, '$1 ').trim())),
          actionForm('Turn on', [field('Verification code', code)], async () => {
            await vault.api.enableAuthenticator({ key: setup.key, token: code.value.replace(/\s/g, ''), masterPasswordHash: hash, userVerificationToken: setup.userVerificationToken });
            vault.twoFactorEnabled = true;
            show();
            body.prepend(message('info', 'Two-step login is on.'));
          }));
        code.focus();
      }));
  };
  show();
  return section('Two-step login', body);
}

const DEVICE_TYPES: Record<number, string> = { 0: 'Android', 1: 'iOS', 2: 'Chrome extension', 3: 'Firefox extension', 6: 'Windows desktop', 7: 'macOS desktop', 8: 'Linux desktop', 9: 'Chrome', 10: 'Firefox', 12: 'Edge', 14: 'Browser', 17: 'Safari', 21: 'SDK', 23: 'Windows CLI', 24: 'macOS CLI', 25: 'Linux CLI' };

function sessionsSection(): HTMLElement {
  const list = h('ul', { className: 'devices', 'aria-label': 'Sessions' });
  const status = h('div', { 'aria-live': 'polite' });
  const mine = deviceInfo().identifier;
  const load = async () => {
    try {
      const { data } = await vault.api.devices();
      replace(list, data.sort((a: Device, b: Device) => (b.lastActivityDate ?? '').localeCompare(a.lastActivityDate ?? '')).map((d) =>
        h('li', {},
          h('span', { className: 'name' }, d.name), ' ', h('span', { className: 'meta' }, `${DEVICE_TYPES[d.type] ?? `type ${d.type}`} · last active ${d.lastActivityDate ? new Date(d.lastActivityDate).toLocaleString() : 'never'}`),
          d.identifier === mine ? h('span', { className: 'badge' }, 'This session') :
            h('button', { type: 'button', className: 'small danger', 'aria-label': `Sign out ${d.name}`, onclick: async () => {
              try {
                await vault.api.deactivateDevice(d.id);
                await load();
              } catch (err) {
                replace(status, message('error', errorText(err)));
              }
            } }, 'Sign out'))));
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  };
  void load();
  return section('Sessions', h('p', {}, 'Devices and apps logged in to this account.'), list, status);
}

function logoutSection(): HTMLElement {
  const password = passwordInput('deauthorizePassword');
  return section('Log out',
    h('div', { className: 'actions' }, h('button', { type: 'button', className: 'secondary', onclick: () => { vault.forget(); go('/login'); } }, 'Log out of this browser')),
    h('p', {}, 'Log out everywhere ends every session on every device, this one included.'),
    actionForm('Log out everywhere', [field('Master password', password)], async () => {
      await vault.api.deauthorize(await vault.verificationHash(password.value));
      loggedOutEverywhere('Every session has ended. Log in again.');
    }, true));
}
