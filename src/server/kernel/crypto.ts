// Hashing and secrets. The audit chain uses SHA-256, or SM3 when FRONTLINE_CRYPTO=sm
// (Node's OpenSSL provides it). Passwords use scrypt with a per-password salt.
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;

export type ChainAlgo = 'sha256' | 'sm3';

export function assertAlgoAvailable(algo: ChainAlgo): void {
  if (!crypto.getHashes().includes(algo)) {
    throw new Error(`本机 OpenSSL 不支持 ${algo} 摘要算法`);
  }
}

export const digestHex = (algo: ChainAlgo, data: string) => crypto.createHash(algo).update(data, 'utf8').digest('hex');
export const sha256Hex = (data: string) => digestHex('sha256', data);

/** URL-safe random token with `bytes` of entropy. */
export const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');
export const newId = () => crypto.randomUUID();

// Random bytes for time-ordered ids, drawn 4 KiB at a time (one system call per 400 ids).
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids made later sort
 * later, so rows inserted in bulk (posts, clusters) land at the end of their primary-key index instead
 * of at random places in it: with a million rows, far fewer pages to read and write per insert.
 */
export function timeOrderedId(ms = Date.now()): string {
  if (poolAt + 10 > pool.length) {
    crypto.randomFillSync(pool);
    poolAt = 0;
  }
  const r = poolAt;
  poolAt += 10;
  const t = ms.toString(16).padStart(12, '0');
  return (
    `${t.slice(0, 8)}-${t.slice(8, 12)}-7${HEX[pool[r]!]!.slice(1)}${HEX[pool[r + 1]!]}-` +
    `${HEX[(pool[r + 2]! & 0x3f) | 0x80]}${HEX[pool[r + 3]!]}-` +
    `${HEX[pool[r + 4]!]}${HEX[pool[r + 5]!]}${HEX[pool[r + 6]!]}${HEX[pool[r + 7]!]}${HEX[pool[r + 8]!]}${HEX[pool[r + 9]!]}`
  );
}

// Cost is log2(N) with r=8, p=1 (config FRONTLINE_PASSWORD_HASH_COST, default 15: 32 MiB and
// ~100–200 ms on the 2-core target). Parameters travel with each hash, so the cost can be raised
// later without breaking stored passwords.
const MAXMEM = 256 * 1024 * 1024;
let defaultCost = 15;
export function setPasswordHashCost(cost: number) {
  defaultCost = cost;
}

export async function hashPassword(password: string, cost = defaultCost): Promise<string> {
  const salt = crypto.randomBytes(16);
  const N = 2 ** cost;
  const key = await scrypt(password.normalize('NFKC'), salt, 32, { N, r: 8, p: 1, maxmem: MAXMEM });
  return `scrypt$${N}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(password.normalize('NFKC'), Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM,
  });
  return crypto.timingSafeEqual(key, expected);
}

/** A hash that costs as much as a real check, for unknown usernames (no timing oracle). */
export const dummyPasswordHash = () => `scrypt$${2 ** defaultCost}$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

export const sha256OfBytes = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
