import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePassphrase, generatePassword } from '../src/generator';
import list from '../../src/Coffer.Client/Generators/eff_large_wordlist.txt';
import { parseWordList } from '../src/wordlist';

test('a password has every chosen class, the length asked for and length × log2(alphabet) bits', () => {
  for (let i = 0; i < 50; i++) {
    const g = generatePassword({ length: 8, uppercase: true, lowercase: true, numbers: true, special: true, avoidAmbiguous: false });
    assert.equal(g.value.length, 8);
    assert.match(g.value, /[A-Z]/);
    assert.match(g.value, /[a-z]/);
    assert.match(g.value, /[0-9]/);
    assert.match(g.value, /[!@#$%^&*]/);
    assert.ok(Math.abs(g.entropyBits - 8 * Math.log2(70)) < 1e-9);
  }
  const unambiguous = generatePassword({ length: 128, uppercase: true, lowercase: true, numbers: true, special: false, avoidAmbiguous: true });
  assert.doesNotMatch(unambiguous.value, /[IOl01]/);
  assert.throws(() => generatePassword({ length: 20, uppercase: false, lowercase: false, numbers: false, special: false, avoidAmbiguous: false }));
});

test('a passphrase draws from the EFF list shared with Coffer.Client: 12.9 bits a word', () => {
  const words = parseWordList(list);
  assert.equal(words.length, 7776);
  const g = generatePassphrase({ words: 6, separator: '-', capitalize: true, includeNumber: true }, words);
  const parts = g.value.split('-');
  assert.equal(parts.length, 6);
  assert.ok(parts.every((p) => /^[A-Z]/.test(p)));
  assert.equal(parts.filter((p) => /\d$/.test(p)).length, 1);
  assert.ok(Math.abs(g.entropyBits - (6 * Math.log2(7776) + Math.log2(10) + Math.log2(6))) < 1e-9);
});
