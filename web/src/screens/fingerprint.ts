import { fingerprintPhrase } from '../crypto';
import { vault } from '../vault';

let words: Promise<string[]> | null = null;

/** The EFF long word list, loaded once (its own chunk, shared with the passphrase generator). */
export function wordList(): Promise<string[]> {
  return (words ??= import('../wordlist').then((m) => m.parseWordList(m.default)));
}

/** The fingerprint phrase of a user's public key (the official clients' derivation, with the user id). */
export async function phraseOf(userId: string, publicKey: string): Promise<string> {
  return fingerprintPhrase(publicKey, userId, await wordList());
}

/** This account's own phrase, from its own key pair: what an admin should see when confirming it. */
export async function ownFingerprint(): Promise<string> {
  return phraseOf(vault.userId, await vault.ownPublicKey());
}
