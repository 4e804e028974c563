// Hadoop's token storage file read without Java: the tokens and the URL string WebHDFS takes.
import { describe, expect, it } from 'vitest';
import { ClusterSchema } from '../../src/config/schema.js';
import { redact, WebHdfs } from '../../src/hdfs/webhdfs.js';
import type { FetchLike } from '../../src/http/client.js';
import { releaseCredentials } from '../../src/kerberos/credentials.js';
import { readTokenFile, writeTokenFile } from '../../src/kerberos/token.js';
import { openSite } from '../../src/sites/site.js';

/** Hadoop's WritableUtils.writeVLong. */
function vlong(n: number): Buffer {
  if (n >= -112 && n <= 127) return Buffer.from([n & 0xff]);
  let len = -112;
  let v = n;
  if (v < 0) {
    v = ~v;
    len = -120;
  }
  const bytes: number[] = [];
  for (let t = v; t !== 0; t = Math.floor(t / 256)) bytes.unshift(t % 256);
  return Buffer.from([(len - bytes.length) & 0xff, ...bytes]);
}
const text = (s: string) => Buffer.concat([vlong(Buffer.byteLength(s)), Buffer.from(s)]);
const bytes = (b: Buffer) => Buffer.concat([vlong(b.length), b]);

describe('token files', () => {
  it('reads each token and encodes it as Token.encodeToUrlString does', () => {
    const identifier = Buffer.alloc(200, 7); // longer than one vint byte holds
    const password = Buffer.from([0xfb, 0xff, 0x00, 0x3e]);
    const token = Buffer.concat([bytes(identifier), bytes(password), text('HDFS_DELEGATION_TOKEN'), text('127.0.0.1:25020')]);
    const file = Buffer.concat([Buffer.from('HDTS'), Buffer.from([0]), vlong(1), text('secure'), token, vlong(0)]);
    expect(readTokenFile(file)).toEqual([
      { alias: 'secure', kind: 'HDFS_DELEGATION_TOKEN', service: '127.0.0.1:25020', urlString: token.toString('base64url') },
    ]);
    // URL-safe and unpadded, as Hadoop's commons-codec Base64(0, null, true) writes it.
    expect(readTokenFile(file)[0]!.urlString).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(vlong(200)).toEqual(Buffer.from([0x8f, 200]));
    expect(vlong(-1000)).toEqual(Buffer.from([0x86, 0x03, 0xe7]));
  });

  it('refuses what is not a Writable token file, or ends early', () => {
    expect(() => readTokenFile(Buffer.from('nope'))).toThrow('not a Hadoop token file');
    expect(() => readTokenFile(Buffer.from([...Buffer.from('HDTS'), 1, 0]))).toThrow('only the Writable format');
    expect(() => readTokenFile(Buffer.from([...Buffer.from('HDTS'), 0, 1, 5, 0x61]))).toThrow('out of range');
  });
});

describe('token files written', () => {
  it('hold the tokens as read, each under its service', () => {
    const token = Buffer.concat([bytes(Buffer.alloc(40, 1)), bytes(Buffer.alloc(20, 2)), text('HDFS_DELEGATION_TOKEN'), text('nn:8020')]);
    const other = Buffer.concat([bytes(Buffer.alloc(300, 3)), bytes(Buffer.alloc(20, 4)), text('HDFS_DELEGATION_TOKEN'), text('nn2:8020')]);
    const list = [
      { alias: 'nn:8020', kind: 'HDFS_DELEGATION_TOKEN', service: 'nn:8020', urlString: token.toString('base64url') },
      { alias: 'nn2:8020', kind: 'HDFS_DELEGATION_TOKEN', service: 'nn2:8020', urlString: other.toString('base64url') },
    ];
    expect(readTokenFile(writeTokenFile(list))).toEqual(list);
  });
});

describe('WebHDFS with a delegation token', () => {
  it('sends the token instead of user.name, shows it as ***, and fetches it again once when it expired', async () => {
    const seen: string[] = [];
    // The NameNode knows only T1: T0 has expired.
    const fetch: FetchLike = async (url) => {
      seen.push(url);
      if (new URL(url).searchParams.get('delegation') !== 'T1') {
        const message = 'token (HDFS_DELEGATION_TOKEN token 7 for hdfs) is expired';
        return Response.json({ RemoteException: { exception: 'SecretManager$InvalidToken', message } }, { status: 403 });
      }
      const status = { type: 'DIRECTORY', length: 0, pathSuffix: '', owner: 'hdfs', group: 'g', permission: '755', modificationTime: 0 };
      return Response.json({ FileStatus: status });
    };
    let renewals = 0;
    const delegation = {
      token: async () => (renewals ? 'T1' : 'T0'),
      renew: async () => {
        renewals++;
        return 'T1';
      },
    };
    const logged: string[] = [];
    const h = new WebHdfs({ urls: ['https://nn'], user: 'hdfs', fetch, delegation, onCall: (c) => logged.push(c.url) });
    expect((await h.getFileStatus('/'))?.type).toBe('DIRECTORY');
    expect(renewals).toBe(1);
    expect(seen.map((u) => new URL(u).searchParams.get('delegation'))).toEqual(['T0', 'T1']);
    expect(seen.every((u) => !u.includes('user.name'))).toBe(true);
    expect(logged).toEqual(Array(2).fill('https://nn/webhdfs/v1/?op=GETFILESTATUS&delegation=***'));
    expect(h.describe({ method: 'PUT', path: '/d', op: 'MKDIRS' })).toBe('PUT https://nn/webhdfs/v1/d?op=MKDIRS&delegation=***');
    expect(redact('http://dn:9864/x?op=OPEN&delegation=abc-_1&offset=0')).toBe('http://dn:9864/x?op=OPEN&delegation=***&offset=0');
  });

  it('says a cluster that asks for SPNEGO is Kerberized, and what to set', async () => {
    const spnego: FetchLike = async () => new Response('<html>Error 401 Authentication required</html>', { status: 401 });
    const h = new WebHdfs({ urls: ['https://nn'], user: 'hdfs', fetch: spnego, site: 'secure' });
    await expect(h.getFileStatus('/')).rejects.toThrow(
      'https://nn asks for Kerberos (SPNEGO): the cluster is Kerberized; set clusters.secure.kerberos (principal and keytab, or a ticket cache)',
    );
  });

  it('takes a keytab with its principal, or a ticket cache', () => {
    const parse = (kerberos: unknown) => ClusterSchema.safeParse({ role: 'primary', webhdfs: 'https://nn:9871', fs: 'hdfs://e', kerberos });
    expect(parse({ principal: 'hbackup@EXAMPLE.COM', keytab: '/etc/k.keytab' }).success).toBe(true);
    expect(parse({ ticketCache: '/tmp/krb5cc_0' }).success).toBe(true);
    expect(parse({ keytab: '/etc/k.keytab' }).success).toBe(false);
    expect(parse({ principal: 'a@B', keytab: '/k', ticketCache: '/c' }).success).toBe(false);
    expect(parse({ principal: 'no realm', keytab: '/k' }).success).toBe(false);
  });

  it("gives Beeline the keytab's login (HiveServer2 takes no HDFS token), the other tools only the tokens, all hidden in what is shown", async () => {
    const cluster = (kerberos: Record<string, string>) =>
      ClusterSchema.parse({
        role: 'primary',
        webhdfs: 'https://nn:9871',
        fs: 'hdfs://e',
        kerberos,
        hive: { jdbcUrl: 'jdbc:hive2://h:10000/default;principal=hive/_HOST@R' },
      });
    try {
      const keytab = openSite({ ...cluster({ principal: 'hbackup@R', keytab: '/etc/hbackup.keytab' }), name: 'east' });
      const beeline = keytab.tool('beeline', ['-u', 'jdbc:hive2://h:10000/default']);
      expect(beeline.env).toMatchObject({ KRB5PRINCIPAL: 'hbackup@R', KRB5KEYTAB: '/etc/hbackup.keytab' });
      expect(beeline.env?.HADOOP_TOKEN_FILE_LOCATION).toMatch(/hbackup-tokens-.*\/tokens$/);
      const hdfs = keytab.tool('hdfs', ['dfs', '-ls', '/']);
      expect(Object.keys(hdfs.env ?? {})).toEqual(['HADOOP_TOKEN_FILE_LOCATION']);
      const cache = openSite({ ...cluster({ ticketCache: '/tmp/krb5cc_7' }), name: 'east' }).tool('beeline', []);
      expect(cache.env).toMatchObject({ KRB5CCNAME: '/tmp/krb5cc_7' });
      expect(cache.env).not.toHaveProperty('KRB5KEYTAB');
    } finally {
      expect(await releaseCredentials()).toEqual([]);
    }
  });
});
