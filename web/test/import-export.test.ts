import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportEncryptedJson, exportJson } from '../src/exporters';
import { importBitwardenCsv, importBitwardenJson, importChromeCsv, importFirefoxCsv, isPasswordProtected } from '../src/importers';
import { CipherType, emptyItem } from '../src/models';

test('Chrome CSV: name, url, username, password, note', () => {
  const r = importChromeCsv('name,url,username,password,note\nExample,https://example.com/,alice,"p,w",hi\n,https://other.org/login,bob,x,\n');
  assert.equal(r.items.length, 2);
  assert.equal(r.items[0]!.login.password, 'p,w');
  assert.equal(r.items[0]!.notes, 'hi');
  assert.equal(r.items[1]!.name, 'other.org');
});

test('Firefox CSV: the host names the item; Firefox Accounts rows are skipped', () => {
  const csv = '"url","username","password","httpRealm","formActionOrigin","guid","timeCreated","timeLastUsed","timePasswordChanged"\n'
    + '"https://www.example.com","alice","secret",,"https://www.example.com","{1}","1","1","1"\n'
    + '"chrome://FirefoxAccounts","x","y",,"","{2}","1","1","1"\n';
  const r = importFirefoxCsv(csv);
  assert.equal(r.items.length, 1);
  assert.equal(r.items[0]!.name, 'www.example.com');
  assert.deepEqual(r.items[0]!.login.uris, [{ uri: 'https://www.example.com', match: null }]);
});

test('Bitwarden CSV: folders, notes, custom fields, TOTP', () => {
  const csv = 'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n'
    + 'Work,1,login,Mail,"line1\nline2","a: 1\nb: 2",0,"https://a.example,https://b.example",alice,pw,JBSWY3DPEHPK3PXP\n'
    + ',,note,Secret note,text,,0,,,,\n';
  const r = importBitwardenCsv(csv);
  assert.equal(r.items.length, 2);
  const [login, note] = r.items;
  assert.equal(login!.favorite, true);
  assert.equal(login!.notes, 'line1\nline2');
  assert.deepEqual(login!.fields, [{ type: 0, name: 'a', value: '1' }, { type: 0, name: 'b', value: '2' }]);
  assert.equal(login!.login.uris.length, 2);
  assert.equal(login!.login.totp, 'JBSWY3DPEHPK3PXP');
  assert.equal(note!.type, CipherType.SecureNote);
  assert.deepEqual(r.folders, ['Work']);
  assert.equal(r.folderIndex.get(login!), 0);
  assert.equal(r.folderIndex.has(note!), false);
});

function sample() {
  const login = emptyItem(CipherType.Login);
  login.id = 'a';
  login.name = 'Login';
  login.folderId = 'f1';
  login.login = { username: 'u', password: 'p', totp: '', uris: [{ uri: 'https://x.example', match: null }] };
  const card = emptyItem(CipherType.Card);
  card.id = 'b';
  card.name = 'Card';
  card.card.number = '4111111111111111';
  return [login, card];
}

test('plain JSON export reads back through the Bitwarden JSON importer', async () => {
  const json = exportJson(sample(), [{ id: 'f1', name: 'Folder' }]);
  const doc = JSON.parse(json);
  assert.equal(doc.encrypted, false);
  assert.equal(doc.items[0].login.username, 'u');
  const r = await importBitwardenJson(json);
  assert.equal(r.items.length, 2);
  assert.deepEqual(r.folders, ['Folder']);
  assert.equal(r.items[0]!.login.password, 'p');
  assert.equal(r.items[1]!.card.number, '4111111111111111');
});

test('password-protected export opens only with its password', async () => {
  const json = await exportEncryptedJson(sample(), [], 'file password', { kdfType: 0, iterations: 5000 });
  const doc = JSON.parse(json);
  assert.equal(doc.encrypted, true);
  assert.equal(doc.passwordProtected, true);
  assert.match(doc.data, /^2\./);
  assert.equal(isPasswordProtected(json), true);
  assert.doesNotMatch(json, /4111111111111111/);
  await assert.rejects(importBitwardenJson(json, 'wrong'), /Wrong password/);
  const r = await importBitwardenJson(json, 'file password');
  assert.equal(r.items[1]!.card.number, '4111111111111111');
});

// Files written by the official CLI (bw 2026.9.0 `export --format encrypted_json --password filepw` and
// `--format csv`) from a vault the web vault had filled: the formats agree both ways.
const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8');

test('a password-protected export made by bw opens with its password', async () => {
  const r = await importBitwardenJson(fixture('bw-encrypted-export.json'), 'filepw');
  const card = r.items.find((i) => i.name === 'BW card')!;
  assert.equal(card.card.number, '4111111111111111');
  assert.deepEqual(card.fields, [{ type: 1, name: 'pin', value: '9876' }]);
  const login = r.items.find((i) => i.name === 'BW login')!;
  assert.equal(login.login.username, 'bob');
  assert.match(login.login.totp, /^otpauth:/);
});

test('a CSV export made by bw reads back', () => {
  const r = importBitwardenCsv(fixture('bw-export.csv'));
  assert.deepEqual(r.items.map((i) => i.name).sort(), ['BW login', 'Example site']);
  assert.equal(r.items.find((i) => i.name === 'Example site')!.login.password, 's3cret-pass');
});
