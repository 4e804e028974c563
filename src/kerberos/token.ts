/**
 * Hadoop's token storage file (what `hadoop dtutil get … -format java` writes), read without Java:
 * the magic `HDTS`, a format byte (0: Writable), then the tokens — each an alias and the token as
 * Hadoop serializes it (identifier, password, kind, service). A token's URL string, what WebHDFS
 * takes as `delegation=`, is that serialization in URL-safe Base64 without padding
 * (`Token.encodeToUrlString`). A token is a secret: nothing here prints one.
 */

export interface StoredToken {
  alias: string;
  kind: string;
  service: string;
  /** `Token.encodeToUrlString()`: for WebHDFS's `delegation=`. */
  urlString: string;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('the token file ends early');
    return this.buf.readInt8(this.pos++);
  }
  /** Hadoop's WritableUtils.readVLong: one byte for -112..127, else a length byte and big-endian bytes. */
  vlong(): number {
    const first = this.byte();
    if (first >= -112) return first;
    const negative = first < -120;
    const len = negative ? -(first + 120) : -(first + 112);
    let v = 0n;
    for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(this.byte() & 0xff);
    const n = Number(negative ? ~v : v);
    if (!Number.isSafeInteger(n)) throw new Error('a length in the token file is out of range');
    return n;
  }
  bytes(): Buffer {
    const n = this.vlong();
    if (n < 0 || this.pos + n > this.buf.length) throw new Error('a length in the token file is out of range');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  text(): string {
    return this.bytes().toString('utf8');
  }
}

/** The tokens of a token storage file in Hadoop's Writable format. */
export function readTokenFile(buf: Buffer): StoredToken[] {
  if (buf.length < 5 || buf.subarray(0, 4).toString('latin1') !== 'HDTS') throw new Error('not a Hadoop token file (no HDTS)');
  if (buf[4] !== 0) throw new Error(`token file format ${buf[4]} (only the Writable format, dtutil -format java, is read)`);
  const r = new Reader(buf);
  r.pos = 5;
  const count = r.vlong();
  const tokens: StoredToken[] = [];
  for (let i = 0; i < count; i++) {
    const alias = r.text();
    const start = r.pos;
    r.bytes(); // identifier
    r.bytes(); // password
    const kind = r.text();
    const service = r.text();
    tokens.push({ alias, kind, service, urlString: buf.subarray(start, r.pos).toString('base64url') });
  }
  return tokens;
}

/** Hadoop's WritableUtils.writeVLong. */
function vlong(n: number): Buffer {
  if (n >= -112 && n <= 127) return Buffer.from([n & 0xff]);
  const negative = n < 0;
  let v = BigInt(negative ? ~n : n);
  const bytes: number[] = [];
  for (; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.from([((negative ? -120 : -112) - bytes.length) & 0xff, ...bytes]);
}

const text = (s: string) => Buffer.concat([vlong(Buffer.byteLength(s)), Buffer.from(s, 'utf8')]);

/** A token storage file (Writable format) holding these tokens, each under its service as alias. */
export function writeTokenFile(list: StoredToken[]): Buffer {
  const parts = [Buffer.from('HDTS', 'latin1'), Buffer.from([0]), vlong(list.length)];
  for (const t of list) parts.push(text(t.alias), Buffer.from(t.urlString, 'base64url'));
  parts.push(vlong(0)); // no secret keys
  return Buffer.concat(parts);
}
