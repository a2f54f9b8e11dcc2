// The shell (header, navigation, main region) and the route table. Each screen is one module exporting a
// function that fills the main region. Loaded by main.ts once the page is known to be a secure context.
import { h, replace } from './dom';
import { startIdleLock } from './idle';
import { LiveSync } from './livesync';
import { currentRoute, go } from './router';
import { vault } from './vault';
import { loginScreen } from './screens/login';
import { lockScreen } from './screens/lock';
import { registerScreen } from './screens/register';
import { hintScreen } from './screens/hint';
import { vaultScreen } from './screens/list';
import { itemScreen } from './screens/item';
import { editScreen } from './screens/edit';
import { foldersScreen } from './screens/folders';
import { generatorScreen } from './screens/generator';
import { importScreen } from './screens/import';
import { exportScreen } from './screens/export';
import { settingsScreen } from './screens/settings';
import { adminScreen } from './screens/admin';
import { orgsScreen } from './screens/orgs';
import { orgScreen } from './screens/org';
import { shareScreen } from './screens/share';
import { acceptScreen } from './screens/accept';
import { acceptEmergencyScreen, AFTER_LOGIN_KEY } from './screens/accept-emergency';
import { emergencyScreen } from './screens/emergency';
import { emergencyViewScreen, forgetEmergencyVault } from './screens/emergency-view';
import { itemCollectionsScreen } from './screens/item-collections';
import { sendsScreen } from './screens/sends';
import { sendEditScreen } from './screens/send-edit';
import { receiveScreen } from './screens/receive';
import { SendType } from './sends';
import { answerIssue, handleUnsafe } from './screens/unsafe';

const app = document.getElementById('app')!;

// The server serves this same page at /admin (and /admin/…): there, once logged in and unlocked, the one screen is
// the admin screen, and the navigation leads back to the vault at /.
const adminPage = /^\/admin(\/|$)/.test(location.pathname);

const NAV: [string, string][] = [
  ['/vault', 'Vault'],
  ['/trash', 'Trash'],
  ['/folders', 'Folders'],
  ['/sends', 'Send'],
  ['/orgs', 'Organizations'],
  ['/generator', 'Generator'],
  ['/import', 'Import'],
  ['/export', 'Export'],
  ['/settings', 'Settings'],
];

function header(main: HTMLElement): HTMLElement {
  const route = '/' + (currentRoute().path[0] ?? '');
  const nav = vault.unlocked
    ? h('nav', { 'aria-label': 'Main' },
        h('ul', {}, NAV.map(([path, label]) =>
          h('li', {}, h('a', { href: `${adminPage ? '/' : ''}#${path}`, 'aria-current': !adminPage && (route === path || (path === '/vault' && route === '/item') || (path === '/orgs' && route === '/org')) ? 'page' : null }, label)))),
        h('button', { type: 'button', className: 'secondary', onclick: () => { vault.lock(); go('/lock'); } }, 'Lock'))
    : null;
  return h('header', { className: 'top' }, h('a', { className: 'skip', href: '#main', onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('span', { className: 'brand' }, 'Coffer'), nav);
}

// Other devices' changes arrive while the vault is unlocked; the connection closes on lock and log-out.
const live = new LiveSync({
  url: `${location.origin}/notifications/hub`,
  accessToken: () => vault.api.hubToken(),
  sync: () => vault.sync(),
  logOut: () => {
    // A key rotation made here logs every session out, this one too; the vault is logging in again with the new key.
    if (vault.rotatingKey) return;
    vault.forget();
    go('/login');
  },
});

function followLock(): void {
  if (vault.unlocked) live.start();
  else live.stop();
}

let renderCount = 0;

async function render(): Promise<void> {
  const mine = ++renderCount;
  followLock();
  // A fresh main region per render: a slow screen that finishes after the user moved on writes into a detached
  // element instead of over the newer screen.
  const main = h('main', { id: 'main', tabindex: '-1' });
  replace(app, header(main), main);
  await screen(main);
  // Keyboard and screen-reader users land at the top of the new screen unless it focused a field itself.
  if (mine === renderCount && (document.activeElement === document.body || document.activeElement === null)) {
    main.focus({ preventScroll: true });
  }
}

function screen(main: HTMLElement): void | Promise<void> {
  const route = currentRoute();
  const [name = '', id] = route.path;
  // A grantor's vault opened through emergency access is dropped as soon as the user leaves its screens or locks.
  if (!(vault.unlocked && name === 'settings' && id === 'emergency' && route.path[2] === 'view')) forgetEmergencyVault();
  // The invitation link works in every state: it leads to sign-up, log-in or unlock, or accepts.
  if (name === 'accept-organization') return acceptScreen(main);
  if (name === 'accept-emergency') return acceptEmergencyScreen(main);
  // A Send link opens for anyone, logged in or not: the recipient needs no account (sharing doc §3.8).
  if (name === 'send') return id && route.path[2] ? receiveScreen(main, id, route.path[2]) : go(vault.loggedIn ? '/sends' : '/login');
  if (!vault.loggedIn) {
    if (name === 'register') return registerScreen(main);
    if (name === 'finish-signup') return registerScreen(main, { verified: true });
    if (name === 'hint') return hintScreen(main);
    if (name !== 'login') return go('/login');
    return loginScreen(main);
  }
  if (!vault.unlocked) {
    if (name !== 'lock') return go('/lock');
    return lockScreen(main);
  }
  if (adminPage) return adminScreen(main);
  // An emergency access invitation opened while logged out comes back once the vault is open.
  const pending = sessionStorage.getItem(AFTER_LOGIN_KEY);
  if (pending) {
    sessionStorage.removeItem(AFTER_LOGIN_KEY);
    return go(pending);
  }

  switch (name) {
    case 'vault':
      return vaultScreen(main, { trash: false, folder: route.query.get('folder'), search: route.query.get('q') ?? '', org: route.query.get('org'), collection: route.query.get('collection') });
    case 'trash':
      return vaultScreen(main, { trash: true, folder: null, search: route.query.get('q') ?? '' });
    case 'item':
      return id ? itemScreen(main, id) : go('/vault');
    case 'edit':
      return id ? editScreen(main, { id }) : go('/vault');
    case 'new':
      return editScreen(main, { type: Number(id ?? 1), folderId: route.query.get('folder') });
    case 'folders':
      return foldersScreen(main);
    case 'sends':
      if (id === 'new') return sendEditScreen(main, { type: route.path[2] === 'file' ? SendType.File : SendType.Text });
      if (id === 'edit' && route.path[2]) return sendEditScreen(main, { id: route.path[2] });
      return sendsScreen(main);
    case 'orgs':
      return orgsScreen(main);
    case 'org':
      return id ? orgScreen(main, id, route.path[2] ?? 'members') : go('/orgs');
    case 'share':
      return id ? shareScreen(main, id) : go('/vault');
    case 'collections':
      return id ? itemCollectionsScreen(main, id) : go('/vault');
    case 'generator':
      return generatorScreen(main);
    case 'import':
      return importScreen(main);
    case 'export':
      return exportScreen(main);
    case 'settings':
      if (id === 'emergency') return route.path[2] === 'view' && route.path[3] ? emergencyViewScreen(main, route.path[3], route.path[4]) : emergencyScreen(main);
      return settingsScreen(main);
    default:
      return go('/vault');
  }
}

export function start(): void {
  vault.onChange(followLock);
  // What the server's answers fail (malicious-server doc §2.2) is shown in one dialog, whatever screen is open.
  vault.onIssue = answerIssue;
  vault.onRefused = (err) => void handleUnsafe(err);
  window.addEventListener('hashchange', () => void render());
  // "/" jumps to the search field, as on most sites with a search box.
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || target.closest('input, textarea, select')) return;
    const search = document.getElementById('search');
    if (search) {
      e.preventDefault();
      search.focus();
    }
  });
  startIdleLock(() => {
    if (vault.unlocked) {
      vault.lock();
      go('/lock');
    }
  });
  void render();
}
