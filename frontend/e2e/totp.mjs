// RFC 6238 codes for the e2e tests: what an authenticator app shows for an otpauth:// URL.
import { createHmac } from 'node:crypto';

/** RFC 6238 code for the secret and parameters an otpauth:// URL carries. */
export function totpCode(otpauthUrl, now = Date.now()) {
  const params = new URL(otpauthUrl).searchParams;
  const digits = Number(params.get('digits') ?? 6);
  const period = Number(params.get('period') ?? 30);
  const algorithm = (params.get('algorithm') ?? 'SHA1').toLowerCase().replace('-', '');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const key = [];
  for (const c of params.get('secret').replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      key.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / period)));
  const mac = createHmac(algorithm, Buffer.from(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits).padStart(digits, '0');
}
