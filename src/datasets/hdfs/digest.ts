/**
 * What a restore point's directory held, in one value: a digest over every entry's path, type, size
 * and (when checksums were verified) HDFS checksum, as seen in the copy's snapshot. It is the sum,
 * modulo 2^256, of each entry's SHA-256: the order entries come in does not matter (checksums
 * arrive as the DataNodes answer), memory stays flat, and one entry changed changes it. A drill
 * computes it again over what it restored and compares.
 */
import { createHash } from 'node:crypto';

const MOD = 1n << 256n;

/** One entry as the digest reads it; `checksum` is `algorithm:bytes`, absent for directories, empty files or when not asked. */
export interface DigestEntry {
  rel: string;
  type: string;
  length: number;
  checksum?: string;
}

/** The line an entry stands for (tabs apart; the path last, as it may hold anything but a newline). */
export const digestLine = (e: DigestEntry): string => `${e.type}\t${e.type === 'FILE' ? e.length : 0}\t${e.checksum ?? '-'}\t${e.rel}`;

export class TreeDigest {
  private sum = 0n;
  entries = 0;
  files = 0;

  add(e: DigestEntry): void {
    this.sum = (this.sum + BigInt(`0x${createHash('sha256').update(digestLine(e)).digest('hex')}`)) % MOD;
    this.entries++;
    if (e.type === 'FILE') this.files++;
  }

  get value(): string {
    return this.sum.toString(16).padStart(64, '0');
  }

  /** A digest with some entries put in and others taken out: `base` + `plus` − `minus` (values). */
  static combine(base: string, plus: string, minus: string): string {
    const sum = (BigInt(`0x${base}`) + BigInt(`0x${plus}`) - BigInt(`0x${minus}`) + MOD) % MOD;
    return sum.toString(16).padStart(64, '0');
  }
}

/** How a checksum enters the digest: comparable only between checksums computed alike. */
export const checksumText = (c: { algorithm: string; bytes: string }): string => `${c.algorithm}:${c.bytes}`;
