// A cluster's TLS settings as the HTTPS clients take them: verification on unless said otherwise,
// a private CA read from its PEM file, and bad settings refused in one line before anything is asked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NamedCluster } from '../../src/config/load.js';
import { ClusterSchema } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';
import { insecureWarning, tlsOf } from '../../src/http/tls.js';

const cluster = (tls?: Record<string, unknown>): NamedCluster => ({
  name: 'east',
  ...ClusterSchema.parse({ role: 'primary', webhdfs: 'https://nn:9871', fs: 'hdfs://east', ...(tls ? { tls } : {}) }),
});

describe('TLS settings', () => {
  it('verifies by default, against a private CA when given, and not at all only when asked', () => {
    expect(tlsOf(cluster())).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-tls-'));
    const pem = path.join(dir, 'ca.pem');
    fs.writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(tlsOf(cluster({ ca: pem }))).toEqual({ ca: fs.readFileSync(pem), rejectUnauthorized: true });
    expect(tlsOf(cluster({ insecure: true }))).toEqual({ rejectUnauthorized: false });
    expect(insecureWarning('east')).toMatch(/^TLS certificate verification is OFF for east \(tls\.insecure\)/);
  });

  it('refuses a CA file it cannot read or that holds no certificate, naming the setting', () => {
    const missing = () => tlsOf(cluster({ ca: '/nonexistent/ca.pem' }));
    expect(missing).toThrow(UsageError);
    expect(missing).toThrow('clusters.east.tls.ca: cannot read /nonexistent/ca.pem (ENOENT)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-tls-'));
    const key = path.join(dir, 'key.pem');
    fs.writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
    expect(() => tlsOf(cluster({ ca: key }))).toThrow(`clusters.east.tls.ca: ${key} holds no PEM certificate`);
    expect(ClusterSchema.safeParse({ role: 'primary', webhdfs: 'https://nn:9871', fs: 'hdfs://e', tls: { ca: 'ca.pem' } }).success).toBe(
      false,
    );
    expect(ClusterSchema.safeParse({ role: 'primary', webhdfs: 'https://nn:9871', fs: 'hdfs://e', tls: { verify: false } }).success).toBe(
      false,
    );
  });
});
