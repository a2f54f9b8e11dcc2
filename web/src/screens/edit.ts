import { errorText, field, h, message, replace } from '../dom';
import { generatePassword, defaultPasswordOptions } from '../generator';
import { CipherType, IDENTITY_FIELDS, emptyItem, type FieldView, type ItemView } from '../models';
import { go } from '../router';
import { vault } from '../vault';
import { handleUnsafe } from './unsafe';
import { collectionPicker } from './collection-picker';
import { IDENTITY_LABELS } from './labels';

const TITLES: Record<number, string> = { 1: 'login', 2: 'secure note', 3: 'card', 4: 'identity', 5: 'SSH key' };
const NEW_TYPES: number[] = [1, 2, 3, 4];
const BRANDS = ['', 'Visa', 'Mastercard', 'Amex', 'Discover', 'Diners Club', 'JCB', 'Maestro', 'UnionPay', 'RuPay', 'Other'];

/** Add or edit a login, secure note, card or identity, with custom fields and notes. */
export async function editScreen(root: HTMLElement, target: { id: string } | { type: number; folderId: string | null }): Promise<void> {
  let item: ItemView;
  try {
    item = 'id' in target ? await vault.item(target.id) : { ...emptyItem((NEW_TYPES.includes(target.type) ? target.type : 1) as CipherType), folderId: target.folderId };
  } catch (err) {
    replace(root, h('h1', {}, 'Item not found'), message('error', errorText(err)));
    return;
  }
  const editing = item.id !== null;
  if (editing && !item.edit) {
    replace(root, h('h1', {}, 'Read-only item'), message('error', 'Your access to this organization item is read-only.'), h('a', { href: `#/item/${item.id}` }, 'Back to the item'));
    return;
  }
  // "Can edit, except passwords" (organizations doc §9.3): the secrets stay as they are and never reach a field.
  const hidden = !item.viewPassword;
  const input = (name: string, value: string, attrs: Record<string, string | boolean> = {}) => h('input', { type: 'text', name, value, autocomplete: 'off', ...attrs });

  const name = input('name', item.name, { required: true });
  const folder = h('select', { name: 'folder' }, h('option', { value: '' }, 'No folder'), vault.folders.map((f) => h('option', { value: f.id }, f.name)));
  folder.value = item.folderId ?? '';
  const favorite = h('input', { type: 'checkbox', name: 'favorite', id: 'favorite', checked: item.favorite });
  const notes = h('textarea', { name: 'notes', rows: '5' }, item.notes);

  const typeSection = h('fieldset', {});
  const read: (() => void)[] = [];

  if (item.type === CipherType.Login) {
    const username = input('username', item.login.username, { autocomplete: 'off' });
    const password = input('password', hidden ? '' : item.login.password, { type: 'password', autocomplete: 'new-password' });
    const reveal = h('button', { type: 'button', className: 'small secondary', 'aria-pressed': 'false' }, 'Show password');
    reveal.addEventListener('click', () => {
      const on = password.type === 'password';
      password.type = on ? 'text' : 'password';
      reveal.setAttribute('aria-pressed', String(on));
      reveal.textContent = on ? 'Hide password' : 'Show password';
    });
    const generate = h('button', { type: 'button', className: 'small secondary', onclick: () => { password.value = generatePassword(defaultPasswordOptions()).value; } }, 'Generate password');
    const totp = input('totp', hidden ? '' : item.login.totp, { autocomplete: 'off' });
    const uris = h('div', { className: 'uris' });
    const addUri = (value: string) => {
      const uriInput = input('uri', value, { type: 'url', inputmode: 'url' });
      const wrapper = h('div', { className: 'inline' }, field('Website (URI)', uriInput),
        h('button', { type: 'button', className: 'small secondary', 'aria-label': 'Remove website', onclick: () => wrapper.remove() }, 'Remove'));
      uris.appendChild(wrapper);
    };
    (item.login.uris.length ? item.login.uris.map((u) => u.uri) : ['']).forEach(addUri);
    replace(typeSection, h('legend', {}, 'Login'), field('Username', username),
      hidden ? null : [field('Password', password), h('div', { className: 'actions' }, reveal, generate), field('Authenticator key (TOTP)', totp, 'A Base32 secret or an otpauth:// link.')],
      uris,
      h('button', { type: 'button', className: 'small secondary', onclick: () => addUri('') }, 'Add website'));
    read.push(() => {
      const matches = new Map(item.login.uris.map((u) => [u.uri, u.match]));
      item.login = {
        username: username.value, password: hidden ? item.login.password : password.value, totp: hidden ? item.login.totp : totp.value.trim(),
        uris: [...uris.querySelectorAll('input')].map((i) => ({ uri: i.value.trim(), match: matches.get(i.value.trim()) ?? null })).filter((u) => u.uri),
      };
    });
  } else if (item.type === CipherType.Card) {
    const c = item.card;
    const holder = input('cardholderName', c.cardholderName, { autocomplete: 'off' });
    const brand = h('select', { name: 'brand' }, BRANDS.map((b) => h('option', { value: b }, b || '-- Select --')));
    if (c.brand && !BRANDS.includes(c.brand)) brand.appendChild(h('option', { value: c.brand }, c.brand));
    brand.value = c.brand;
    const number = input('number', c.number, { inputmode: 'numeric', autocomplete: 'off' });
    const month = h('select', { name: 'expMonth' }, h('option', { value: '' }, '-- Select --'), Array.from({ length: 12 }, (_, i) => h('option', { value: String(i + 1) }, String(i + 1).padStart(2, '0'))));
    month.value = c.expMonth;
    const year = input('expYear', c.expYear, { inputmode: 'numeric', placeholder: 'e.g. 2030' });
    const code = input('code', c.code, { type: 'password', inputmode: 'numeric', autocomplete: 'off' });
    replace(typeSection, h('legend', {}, 'Card'), field('Cardholder name', holder), field('Brand', brand), field('Number', number),
      h('div', { className: 'inline' }, field('Expiration month', month), field('Expiration year', year)), field('Security code', code));
    read.push(() => {
      item.card = { cardholderName: holder.value, brand: brand.value, number: number.value.replace(/\s/g, ''), expMonth: month.value, expYear: year.value.trim(), code: code.value };
    });
  } else if (item.type === CipherType.Identity) {
    const inputs = IDENTITY_FIELDS.map((f) => [f, input(f, item.identity[f])] as const);
    replace(typeSection, h('legend', {}, 'Identity'), h('div', { className: 'grid' }, inputs.map(([f, i]) => field(IDENTITY_LABELS[f], i))));
    read.push(() => {
      for (const [f, i] of inputs) item.identity[f] = i.value;
    });
  } else {
    typeSection.hidden = true;
  }

  const fields = h('div', { className: 'custom-fields' });
  const addField = (type: number, fname: string, value: string, linkedId: number | null = null) => {
    const nameInput = input('fieldName', fname);
    const valueInput = type === 2 ? h('input', { type: 'checkbox', name: 'fieldValue', checked: value === 'true' }) : input('fieldValue', value, { type: type === 1 ? 'password' : 'text' });
    const wrapper = h('div', { className: 'inline', 'data-type': String(type), 'data-linked-id': linkedId === null ? null : String(linkedId) }, field('Field name', nameInput), field(type === 2 ? 'Checked' : 'Field value', valueInput),
      h('button', { type: 'button', className: 'small secondary', 'aria-label': 'Remove field', onclick: () => wrapper.remove() }, 'Remove'));
    fields.appendChild(wrapper);
  };
  const keptHidden = hidden ? item.fields.filter((f) => f.type === 1) : [];
  item.fields.filter((f) => !keptHidden.includes(f)).forEach((f) => addField(f.type, f.name, f.value, f.linkedId ?? null));
  const newFieldType = h('select', { name: 'newFieldType', 'aria-label': 'New field type' }, h('option', { value: '0' }, 'Text'), h('option', { value: '1' }, 'Hidden'), h('option', { value: '2' }, 'Checkbox'));

  // A new item may go straight into an organization's collections it can add items to (organizations doc §6.1).
  const owner = h('select', { name: 'owner' }, h('option', { value: '' }, 'My vault'), vault.organizations.map((o) => h('option', { value: o.id }, o.name)));
  const ownerSection = h('div', { className: 'owner' });
  let picker: ReturnType<typeof collectionPicker> | null = null;
  const drawCollections = () => {
    picker = owner.value ? collectionPicker(owner.value) : null;
    replace(ownerSection, field('Owner', owner), picker?.element);
  };
  owner.addEventListener('change', drawCollections);
  if (!editing && vault.organizations.length) drawCollections();

  const status = h('div', { 'aria-live': 'polite' });
  const save = h('button', { type: 'submit' }, 'Save');
  const form = h('form', { className: 'card', 'aria-labelledby': 'edit-title' },
    h('h1', { id: 'edit-title' }, `${editing ? 'Edit' : 'New'} ${TITLES[item.type] ?? 'item'}`),
    field('Name', name), field('Folder', folder), ownerSection,
    h('div', { className: 'check' }, favorite, h('label', { for: 'favorite' }, 'Favorite')),
    typeSection,
    h('fieldset', {}, h('legend', {}, 'Custom fields'), fields,
      h('div', { className: 'inline' }, newFieldType, h('button', { type: 'button', className: 'small secondary', onclick: () => addField(Number(newFieldType.value), '', '') }, 'Add field'))),
    field('Notes', notes),
    status,
    h('div', { className: 'actions' }, save, h('button', { type: 'button', className: 'secondary', onclick: () => go(item.id ? `/item/${item.id}` : '/vault') }, 'Cancel')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    replace(status, message('info', 'Saving…'));
    try {
      item.name = name.value;
      item.folderId = folder.value || null;
      item.favorite = favorite.checked;
      item.notes = notes.value;
      read.forEach((r) => r());
      item.fields = [...fields.children].map((w): FieldView => {
        const { type, linkedId } = (w as HTMLElement).dataset;
        const [n, v] = w.querySelectorAll('input');
        return { type: Number(type), name: n!.value, value: type === '2' ? String(v!.checked) : v!.value, linkedId: linkedId ? Number(linkedId) : null };
      }).concat(keptHidden);
      if (owner.value) item.organizationId = owner.value;
      const collectionIds = picker?.selected() ?? [];
      if (!editing && item.organizationId && collectionIds.length === 0) throw new Error('Choose at least one collection.');
      const id = await vault.saveItem(item, collectionIds);
      go(`/item/${id}`);
    } catch (err) {
      // The server dropped the item key this vault sent (cipher-key-dropped): the dialog says so too.
      handleUnsafe(err);
      replace(status, message('error', errorText(err)));
      save.disabled = false;
    }
  });
  replace(root, form);
  name.focus();
}
