import { errorText, h, replace } from '../dom';
import { CipherType, type ListEntry } from '../models';
import { go } from '../router';
import { vault } from '../vault';

const TYPE_LABEL: Record<number, string> = { 1: 'Login', 2: 'Secure note', 3: 'Card', 4: 'Identity', 5: 'SSH key' };
const NO_FOLDER = 'none';
const MY_VAULT = 'mine';

/**
 * The vault list (or the trash): search over names and the line under them, a folder filter, and one link per
 * item. Marks `vault-list-ready` (a performance mark and data-ready="true" on the list) the first time the list
 * is on screen, for the browser benchmark.
 */
export function vaultScreen(root: HTMLElement, options: { trash: boolean; folder: string | null; search: string; org?: string | null; collection?: string | null }): void {
  const search = h('input', { type: 'search', id: 'search', name: 'search', placeholder: 'Search', value: options.search, autocomplete: 'off' });
  const folder = h('select', { id: 'folder-filter', name: 'folder' });
  let shownFolders: typeof vault.folders | null = null;
  // Also after a sync in the background (live sync): another device may have added or renamed a folder.
  function fillFolders(value: string): void {
    shownFolders = vault.folders;
    folder.replaceChildren(
      h('option', { value: '' }, 'All folders'),
      h('option', { value: NO_FOLDER }, 'No folder'),
      ...vault.folders.map((f) => h('option', { value: f.id }, f.name)));
    folder.value = value;
    if (folder.value !== value) folder.value = '';
  }
  fillFolders(options.folder ?? '');
  // The vault an item is in (mine or an organization's) and, within an organization, its collection.
  const owner = h('select', { id: 'org-filter', name: 'org' });
  const collection = h('select', { id: 'collection-filter', name: 'collection' });
  let shownOrgs: typeof vault.organizations | null = null;
  let shownCollections: typeof vault.collections | null = null;
  function fillOwners(value: string, collectionValue: string): void {
    shownOrgs = vault.organizations;
    shownCollections = vault.collections;
    owner.replaceChildren(
      h('option', { value: '' }, 'All vaults'),
      h('option', { value: MY_VAULT }, 'My vault'),
      ...vault.organizations.map((o) => h('option', { value: o.id }, o.name)));
    owner.value = value;
    if (owner.value !== value) owner.value = '';
    const inOrg = vault.collections.filter((c) => !owner.value || c.organizationId === owner.value);
    collection.replaceChildren(h('option', { value: '' }, 'All collections'),
      ...inOrg.map((c) => h('option', { value: c.id }, owner.value ? c.name : `${c.name} (${vault.organizations.find((o) => o.id === c.organizationId)?.name ?? '?'})`)));
    collection.value = collectionValue;
    if (collection.value !== collectionValue) collection.value = '';
    collection.disabled = owner.value === MY_VAULT || inOrg.length === 0;
    orgFilters.hidden = vault.organizations.length === 0;
  }
  // Shown once the account is in an organization: also when a confirmation arrives while the list is open.
  const orgFilters = h('div', { className: 'org-filters' },
    h('div', { className: 'field' }, h('label', { for: 'org-filter' }, 'Vault'), owner),
    h('div', { className: 'field' }, h('label', { for: 'collection-filter' }, 'Collection'), collection));
  fillOwners(options.org ?? '', options.collection ?? '');
  const count = h('p', { className: 'count', role: 'status', 'aria-live': 'polite' });
  const list = h('ul', { className: 'items', 'aria-label': options.trash ? 'Items in trash' : 'Items', 'data-testid': 'vault-list' });
  // One row element per item, made once per version of the entries and reused by every search and filter:
  // making 3,000 rows costs far more than re-attaching them.
  const rows = new Map<string, HTMLLIElement>();
  const subtitles = new Map<string, HTMLElement>();
  let shown: ListEntry[] | null = null;
  let urlTimer: ReturnType<typeof setTimeout> | undefined;

  function matches(e: ListEntry, q: string, f: string): boolean {
    if (e.deleted !== options.trash) return false;
    const o = owner.value;
    if (o === MY_VAULT ? e.organizationId !== null : o && e.organizationId !== o) return false;
    if (collection.value && !e.collectionIds.includes(collection.value)) return false;
    if (f === NO_FOLDER ? e.folderId !== null : f && e.folderId !== f) return false;
    return !q || e.search.includes(q);
  }

  function row(e: ListEntry): HTMLLIElement {
    let li = rows.get(e.id);
    if (!li) {
      const sub = h('span', { className: 'subtitle' }, e.subtitle);
      subtitles.set(e.id, sub);
      li = h('li', {},
        h('a', { href: `#/item/${e.id}`, className: 'item-link' },
          h('span', { className: `icon type-${e.type}`, 'aria-hidden': 'true' }, TYPE_LABEL[e.type]?.[0] ?? '?'),
          h('span', { className: 'text' }, h('span', { className: 'name' }, e.name || '(no name)'), sub),
          e.organizationId ? h('span', { className: 'badge org' }, vault.organizations.find((o) => o.id === e.organizationId)?.name ?? 'Organization') : null,
          e.favorite ? h('span', { className: 'badge' }, 'Favorite') : null));
      rows.set(e.id, li);
    }
    return li;
  }

  function draw(): void {
    const q = search.value.trim().toLowerCase();
    const f = folder.value;
    if (shown !== vault.entries) {
      rows.clear();
      subtitles.clear();
      shown = vault.entries;
    }
    const entries = vault.entries.filter((e) => matches(e, q, f));
    // Emptied, then filled from a fragment: replaceChildren with thousands of arguments is several times slower.
    const fragment = document.createDocumentFragment();
    if (entries.length) for (const e of entries) fragment.appendChild(row(e));
    else fragment.appendChild(h('li', { className: 'empty' }, options.trash ? 'The trash is empty.' : 'No items to show.'));
    list.replaceChildren();
    list.appendChild(fragment);
    count.textContent = `${entries.length} ${entries.length === 1 ? 'item' : 'items'}`;
    // The address keeps the search and folder for a reload, written once typing pauses: each history write is a
    // round trip to the browser process.
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => {
      const query = new URLSearchParams();
      if (q) query.set('q', search.value);
      if (f && !options.trash) query.set('folder', f);
      if (owner.value) query.set('org', owner.value);
      if (collection.value) query.set('collection', collection.value);
      if (list.isConnected) history.replaceState(null, '', `#/${options.trash ? 'trash' : 'vault'}${query.size ? `?${query}` : ''}`);
    }, 400);
  }

  const unsubscribe = vault.onChange(() => {
    if (!list.isConnected) return unsubscribe();
    if (vault.folders !== shownFolders) fillFolders(folder.value);
    if (vault.organizations !== shownOrgs || vault.collections !== shownCollections) fillOwners(owner.value, collection.value);
    if (vault.entries !== shown) return draw();
    // The same entries with their subtitles filled in: update the text, keep the rows (and the focus).
    for (const e of vault.entries) {
      const el = subtitles.get(e.id);
      if (el && el.textContent !== e.subtitle) el.textContent = e.subtitle;
    }
  });

  search.addEventListener('input', draw);
  folder.addEventListener('change', draw);
  owner.addEventListener('change', () => {
    fillOwners(owner.value, '');
    draw();
  });
  collection.addEventListener('change', draw);

  const newItem = h('div', { className: 'new-item', role: 'group', 'aria-label': 'New item' },
    [CipherType.Login, CipherType.SecureNote, CipherType.Card, CipherType.Identity].map((t) =>
      h('button', { type: 'button', onclick: () => go(`/new/${t}${folder.value && folder.value !== NO_FOLDER ? `?folder=${folder.value}` : ''}`) }, `New ${TYPE_LABEL[t]!.toLowerCase()}`)));

  // Changes made elsewhere (bw, coffer, another browser) arrive with a full sync.
  const syncButton = h('button', { type: 'button', className: 'secondary' }, 'Sync');
  syncButton.addEventListener('click', async () => {
    syncButton.disabled = true;
    count.textContent = 'Syncing…';
    try {
      await vault.sync();
      // Folders may have changed too: draw the whole screen again, keeping the search and the filter.
      vaultScreen(root, { ...options, folder: folder.value || null, search: search.value, org: owner.value || null, collection: collection.value || null });
    } catch (err) {
      count.textContent = errorText(err);
    } finally {
      syncButton.disabled = false;
    }
  });

  replace(root,
    h('div', { className: 'toolbar' },
      h('h1', {}, options.trash ? 'Trash' : 'Vault'),
      h('div', { className: 'new-item' }, options.trash ? null : newItem, syncButton)),
    h('div', { className: 'filters' },
      h('div', { className: 'field' }, h('label', { for: 'search' }, options.trash ? 'Search trash' : 'Search vault'), search),
      options.trash ? null : h('div', { className: 'field' }, h('label', { for: 'folder-filter' }, 'Folder'), folder),
      options.trash ? null : orgFilters),
    count,
    list);
  draw();
  list.dataset.ready = 'true';
  performance.mark('vault-list-ready');
}
