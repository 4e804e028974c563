/**
 * TLS towards a cluster's HTTPS endpoints (WebHDFS, DataNodes, the ResourceManager). Certificates
 * are verified by default, against the system's CAs or a private CA's PEM file (`tls.ca`); turning
 * verification off takes `tls.insecure: true`, and every run says so.
 */
import fs from 'node:fs';
import type { NamedCluster } from '../config/load.js';
import { UsageError } from '../errors.js';

/** What Node's https takes: the CAs to trust, and whether to verify at all. */
export interface TlsOptions {
  ca?: Buffer;
  rejectUnauthorized: boolean;
}

/** A cluster's TLS settings as Node takes them; undefined for the defaults (the system's CAs, verified). */
export function tlsOf(cluster: NamedCluster): TlsOptions | undefined {
  const tls = cluster.tls;
  if (!tls) return undefined;
  let ca: Buffer | undefined;
  if (tls.ca) {
    try {
      ca = fs.readFileSync(tls.ca);
    } catch (e) {
      throw new UsageError(`clusters.${cluster.name}.tls.ca: cannot read ${tls.ca} (${(e as NodeJS.ErrnoException).code})`);
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(ca.toString('latin1'))) {
      throw new UsageError(`clusters.${cluster.name}.tls.ca: ${tls.ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    }
  }
  return { ...(ca ? { ca } : {}), rejectUnauthorized: !tls.insecure };
}

/** The warning a run with verification off gives, once per cluster. */
export const insecureWarning = (site: string): string =>
  `TLS certificate verification is OFF for ${site} (tls.insecure): anyone between this host and ${site} can read and change what hbackup sends and receives`;
