// The shared known-answer vectors, the same file ProtocolVectors (tests/Coffer.Testing) reads.
import { readFileSync } from 'node:fs';

const url = new URL('../../tests/vectors/crypto-vectors.json', import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const vectors: any = JSON.parse(readFileSync(url, 'utf8'));
