// Passwords and passphrases the way Coffer.Client's generators make them (Bitwarden's character sets, the EFF
// large word list), with the entropy of each result.
import { randomInt } from './crypto';

export interface PasswordOptions {
  length: number;
  uppercase: boolean;
  lowercase: boolean;
  numbers: boolean;
  special: boolean;
  avoidAmbiguous: boolean;
}

export interface PassphraseOptions {
  words: number;
  separator: string;
  capitalize: boolean;
  includeNumber: boolean;
}

export interface Generated {
  value: string;
  entropyBits: number;
}

export const defaultPasswordOptions = (): PasswordOptions => ({ length: 20, uppercase: true, lowercase: true, numbers: true, special: true, avoidAmbiguous: false });
export const defaultPassphraseOptions = (): PassphraseOptions => ({ words: 6, separator: '-', capitalize: false, includeNumber: false });

function classes(o: PasswordOptions): string[] {
  const out: string[] = [];
  if (o.uppercase) out.push(o.avoidAmbiguous ? 'ABCDEFGHJKLMNPQRSTUVWXYZ' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  if (o.lowercase) out.push(o.avoidAmbiguous ? 'abcdefghijkmnopqrstuvwxyz' : 'abcdefghijklmnopqrstuvwxyz');
  if (o.numbers) out.push(o.avoidAmbiguous ? '23456789' : '0123456789');
  if (o.special) out.push('!@#$%^&*');
  return out;
}

/** One character of each chosen class, the rest from all of them, then shuffled (Fisher–Yates). */
export function generatePassword(o: PasswordOptions): Generated {
  const sets = classes(o);
  if (sets.length === 0) throw new Error('Choose at least one character class.');
  if (o.length < 5 || o.length > 128) throw new Error('Password length must be between 5 and 128.');
  const alphabet = sets.join('');
  const chars = sets.map((s) => s[randomInt(s.length)]!);
  while (chars.length < o.length) chars.push(alphabet[randomInt(alphabet.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return { value: chars.join(''), entropyBits: o.length * Math.log2(alphabet.length) };
}

export function generatePassphrase(o: PassphraseOptions, wordList: string[]): Generated {
  if (o.words < 3 || o.words > 20) throw new Error('A passphrase has 3 to 20 words.');
  if (o.separator.length > 1) throw new Error('The separator is at most one character.');
  const words = Array.from({ length: o.words }, () => {
    const w = wordList[randomInt(wordList.length)]!;
    return o.capitalize ? w[0]!.toUpperCase() + w.slice(1) : w;
  });
  if (o.includeNumber) words[randomInt(words.length)] += String(randomInt(10));
  const bits = o.words * Math.log2(wordList.length) + (o.includeNumber ? Math.log2(10) + Math.log2(o.words) : 0);
  return { value: words.join(o.separator), entropyBits: bits };
}

let words: Promise<string[]> | null = null;

/** The EFF large word list (7,776 words), shared with Coffer.Client and loaded only when a passphrase is asked for. */
export function effWordList(): Promise<string[]> {
  words ??= import('./wordlist').then((m) => m.parseWordList(m.default));
  return words;
}

/** How the entropy reads to a person. */
export function strengthLabel(bits: number): string {
  return bits < 40 ? 'Weak' : bits < 64 ? 'Fair' : bits < 80 ? 'Good' : 'Strong';
}
