import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const srcDir = new URL('../src/', import.meta.url);

function sources(dir: URL): { name: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(new URL(`${entry.name}/`, dir))
      : entry.name.endsWith('.ts') ? [{ name: entry.name, text: readFileSync(new URL(entry.name, dir), 'utf8') }] : []);
}

test('no markup from strings and no eval: item contents can never become code', () => {
  for (const { name, text } of sources(srcDir)) {
    for (const banned of ['.innerHTML', '.outerHTML', 'insertAdjacentHTML', 'eval(', 'new Function', 'document.write']) {
      assert.ok(!text.includes(banned), `${name} uses ${banned}`);
    }
  }
});

test('localStorage holds only the device id, the last e-mail and the vault timeout', () => {
  const keys = new Set<string>();
  for (const { text } of sources(srcDir)) {
    for (const m of text.matchAll(/localStorage\.setItem\(([^,]+),/g)) keys.add(m[1]!.trim());
  }
  assert.deepEqual([...keys].sort(), ["'coffer.deviceId'", "'coffer.email'", 'KEY']);
  assert.match(readFileSync(new URL('idle.ts', srcDir), 'utf8'), /const KEY = 'coffer\.idleMinutes'/);
});

test('every cryptographic call goes through crypto.ts', () => {
  for (const { name, text } of sources(srcDir)) {
    if (name === 'crypto.ts') continue;
    assert.ok(!/subtle\s*\./.test(text), `${name} calls WebCrypto directly`);
    assert.ok(!text.includes("from 'hash-wasm'"), `${name} imports hash-wasm`);
  }
});
