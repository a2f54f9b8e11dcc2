// The word list lives in Coffer.Client; esbuild inlines it as text into its own chunk.
import list from '../../src/Coffer.Client/Generators/eff_large_wordlist.txt';

export default list;

/** Lines are "<dice digits>\t<word>". */
export function parseWordList(text: string): string[] {
  return text.split('\n').map((line) => line.split('\t')[1]?.trim() ?? '').filter(Boolean);
}
