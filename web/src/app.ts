// The shell (header, navigation, main region) and the route table. Each screen is one module exporting a
// function that fills the main region. Loaded by main.ts once the page is known to be a secure context.
import { h, replace } from './dom';
import { startIdleLock } from './idle';
import { currentRoute, go } from './router';
import { vault } from './vault';
import { loginScreen } from './screens/login';
import { lockScreen } from './screens/lock';
import { registerScreen } from './screens/register';
import { vaultScreen } from './screens/list';
import { itemScreen } from './screens/item';
import { editScreen } from './screens/edit';
import { foldersScreen } from './screens/folders';
import { generatorScreen } from './screens/generator';
import { importScreen } from './screens/import';
import { exportScreen } from './screens/export';
import { settingsScreen } from './screens/settings';

const app = document.getElementById('app')!;
const main = h('main', { id: 'main', tabindex: '-1' });

const NAV: [string, string][] = [
  ['/vault', 'Vault'],
  ['/trash', 'Trash'],
  ['/folders', 'Folders'],
  ['/generator', 'Generator'],
  ['/import', 'Import'],
  ['/export', 'Export'],
  ['/settings', 'Settings'],
];

function header(): HTMLElement {
  const route = '/' + (currentRoute().path[0] ?? '');
  const nav = vault.unlocked
    ? h('nav', { 'aria-label': 'Main' },
        h('ul', {}, NAV.map(([path, label]) =>
          h('li', {}, h('a', { href: `#${path}`, 'aria-current': route === path || (path === '/vault' && route === '/item') ? 'page' : null }, label)))),
        h('button', { type: 'button', className: 'secondary', onclick: () => { vault.lock(); go('/lock'); } }, 'Lock'))
    : null;
  return h('header', { className: 'top' }, h('a', { className: 'skip', href: '#main', onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('span', { className: 'brand' }, 'Coffer'), nav);
}

let renderCount = 0;

async function render(): Promise<void> {
  const mine = ++renderCount;
  const route = currentRoute();
  const [screen = '', id] = route.path;
  replace(main);
  replace(app, header(), main);

  if (!vault.loggedIn) {
    if (screen === 'register') return registerScreen(main);
    if (screen !== 'login') return go('/login');
    return loginScreen(main);
  }
  if (!vault.unlocked) {
    if (screen !== 'lock') return go('/lock');
    return lockScreen(main);
  }
  if (mine !== renderCount) return;
  switch (screen) {
    case 'vault':
      return vaultScreen(main, { trash: false, folder: route.query.get('folder'), search: route.query.get('q') ?? '' });
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
    case 'generator':
      return generatorScreen(main);
    case 'import':
      return importScreen(main);
    case 'export':
      return exportScreen(main);
    case 'settings':
      return settingsScreen(main);
    default:
      return go('/vault');
  }
}

export function start(): void {
  window.addEventListener('hashchange', () => void render());
  startIdleLock(() => {
    if (vault.unlocked) {
      vault.lock();
      go('/lock');
    }
  });
  void render();
}
