import { copyText } from '../clipboard';
import { errorText, field, h, message, replace } from '../dom';
import {
  defaultPassphraseOptions, defaultPasswordOptions, effWordList, generatePassphrase, generatePassword, strengthLabel,
} from '../generator';

/** Password generator: random characters or a passphrase, with its entropy in bits. */
export function generatorScreen(root: HTMLElement): void {
  const kind = h('select', { name: 'kind' }, h('option', { value: 'password' }, 'Password'), h('option', { value: 'passphrase' }, 'Passphrase'));
  const output = h('output', { className: 'generated', 'data-testid': 'generated-value', 'aria-live': 'polite' });
  const entropy = h('p', { className: 'entropy', 'data-testid': 'generated-entropy' });
  const status = h('div', { 'aria-live': 'polite' });
  const p = defaultPasswordOptions();
  const w = defaultPassphraseOptions();

  const length = h('input', { type: 'number', name: 'length', min: '5', max: '128', value: p.length });
  const check = (name: string, label: string, on: boolean) => {
    const box = h('input', { type: 'checkbox', name, id: `gen-${name}`, checked: on });
    return [box, h('div', { className: 'check' }, box, h('label', { for: box.id }, label))] as const;
  };
  const [upper, upperEl] = check('uppercase', 'A–Z', p.uppercase);
  const [lower, lowerEl] = check('lowercase', 'a–z', p.lowercase);
  const [numbers, numbersEl] = check('numbers', '0–9', p.numbers);
  const [special, specialEl] = check('special', '!@#$%^&*', p.special);
  const [ambiguous, ambiguousEl] = check('avoidAmbiguous', 'Avoid ambiguous characters', p.avoidAmbiguous);
  const passwordOptions = h('fieldset', {}, h('legend', {}, 'Password options'), field('Length', length), upperEl, lowerEl, numbersEl, specialEl, ambiguousEl);

  const wordCount = h('input', { type: 'number', name: 'words', min: '3', max: '20', value: w.words });
  const separator = h('input', { type: 'text', name: 'separator', maxlength: '1', value: w.separator });
  const [capitalize, capitalizeEl] = check('capitalize', 'Capitalize', w.capitalize);
  const [includeNumber, includeNumberEl] = check('includeNumber', 'Include a number', w.includeNumber);
  const passphraseOptions = h('fieldset', {}, h('legend', {}, 'Passphrase options'), field('Number of words', wordCount), field('Word separator', separator), capitalizeEl, includeNumberEl);

  async function regenerate(): Promise<void> {
    passwordOptions.hidden = kind.value !== 'password';
    passphraseOptions.hidden = kind.value !== 'passphrase';
    try {
      const result = kind.value === 'password'
        ? generatePassword({ length: Number(length.value), uppercase: upper.checked, lowercase: lower.checked, numbers: numbers.checked, special: special.checked, avoidAmbiguous: ambiguous.checked })
        : generatePassphrase({ words: Number(wordCount.value), separator: separator.value, capitalize: capitalize.checked, includeNumber: includeNumber.checked }, await effWordList());
      output.textContent = result.value;
      entropy.textContent = `Entropy: ${Math.round(result.entropyBits)} bits (${strengthLabel(result.entropyBits)})`;
      replace(status);
    } catch (err) {
      replace(status, message('error', errorText(err)));
    }
  }

  for (const el of [kind, length, upper, lower, numbers, special, ambiguous, wordCount, separator, capitalize, includeNumber]) {
    el.addEventListener('change', () => void regenerate());
  }
  replace(root,
    h('h1', {}, 'Password generator'),
    h('div', { className: 'card' },
      output, entropy,
      h('div', { className: 'actions' },
        h('button', { type: 'button', onclick: () => void regenerate() }, 'Regenerate'),
        h('button', { type: 'button', onclick: async () => { await copyText(output.textContent ?? ''); replace(status, message('info', 'Copied. The clipboard clears in 30 seconds.')); } }, 'Copy')),
      status,
      field('Type', kind), passwordOptions, passphraseOptions));
  void regenerate();
}
