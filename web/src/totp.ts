// Live TOTP codes for items that hold a secret: a bare Base32 key or an otpauth:// URI (Key Uri Format:
// algorithm, digits, period). The HMAC itself is in crypto.ts.
import { hotp, type OtpAlgorithm } from './crypto';

export interface TotpParams {
  secret: Uint8Array<ArrayBuffer>;
  digits: number;
  period: number;
  algorithm: OtpAlgorithm;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 Base32, tolerant of the spaces, lowercase and missing padding that sites print. */
export function base32Decode(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index < 0) throw new Error('The TOTP secret is not Base32.');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

export function parseTotp(value: string): TotpParams {
  const trimmed = value.trim();
  if (!/^otpauth:\/\//i.test(trimmed)) {
    return { secret: base32Decode(trimmed), digits: 6, period: 30, algorithm: 'SHA-1' };
  }
  const url = new URL(trimmed);
  const params = url.searchParams;
  const algorithm = ({ SHA1: 'SHA-1', SHA256: 'SHA-256', SHA512: 'SHA-512' } as const)[(params.get('algorithm') ?? 'SHA1').toUpperCase() as 'SHA1'] ?? 'SHA-1';
  const digits = Number(params.get('digits') ?? 6);
  const period = Number(params.get('period') ?? 30);
  return {
    secret: base32Decode(params.get('secret') ?? ''),
    digits: digits >= 6 && digits <= 10 ? digits : 6,
    period: period > 0 ? period : 30,
    algorithm,
  };
}

export interface TotpCode {
  code: string;
  secondsLeft: number;
  period: number;
}

export async function totpAt(params: TotpParams, unixSeconds: number): Promise<TotpCode> {
  const step = Math.floor(unixSeconds / params.period);
  const code = await hotp(params.secret, step, params.digits, params.algorithm);
  return { code, secondsLeft: params.period - (Math.floor(unixSeconds) % params.period), period: params.period };
}

export function currentTotp(value: string): Promise<TotpCode> {
  return totpAt(parseTotp(value), Date.now() / 1000);
}
