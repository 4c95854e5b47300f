/**
 * Trusting a plant OPC-UA server's certificate (`hazardwatch edge trust-server`).
 *
 * The client PKI folder (`pkiDir`) is node-opcua's certificate manager layout (node-opcua-pki
 * CertificateManager): `own/` (the collector's certificate and key), `trusted/certs/`,
 * `trusted/crl/`, `issuers/`, `rejected/`. A server certificate the collector does not know yet
 * is written to `rejected/` on the first secure connect attempt and the connection refused. A
 * certificate in `rejected/` stays refused even when a copy sits in `trusted/certs/` too (rejected
 * wins), so copying it into the trust list is not enough: it must be moved. The move is done by
 * the certificate manager itself (`trustCertificate`), so the layout is node-opcua's own, and the
 * running source reloads the folders before every connect attempt (opcua-source.ts): no restart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';
import { EdgeError } from '../errors.js';

export interface RejectedCertificate {
  /** File in `pkiDir/rejected`: `<common name>[<SHA-1 fingerprint>].pem`. */
  readonly file: string;
  /** SHA-1 fingerprint, hex, as in the file name. */
  readonly fingerprint: string;
}

/** The certificates in `pkiDir/rejected` (servers refused so far). */
export function rejectedCertificates(pkiDir: string): RejectedCertificate[] {
  let files: string[];
  try {
    files = readdirSync(join(pkiDir, 'rejected'));
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.pem') || f.endsWith('.der'))
    .sort()
    .map((file) => ({
      file,
      fingerprint: /\[([0-9a-fA-F]+)\]\.(pem|der)$/.exec(file)?.[1]?.toLowerCase() ?? '',
    }));
}

/**
 * Moves rejected server certificates into `pkiDir/trusted/certs`: the one whose fingerprint starts
 * with `fingerprint`, or the only one there is.
 * @throws EdgeError HW_EDGE_TRUST_NONE when nothing matches, HW_EDGE_TRUST_AMBIGUOUS when several
 *   would and no fingerprint chooses
 */
export async function trustRejectedCertificate(
  pkiDir: string,
  fingerprint?: string,
): Promise<RejectedCertificate> {
  const all = rejectedCertificates(pkiDir);
  const wanted = fingerprint?.toLowerCase().replace(/[^0-9a-f]/g, '');
  const matching = wanted === undefined ? all : all.filter((c) => c.fingerprint.startsWith(wanted));
  if (matching.length === 0)
    throw new EdgeError('HW_EDGE_TRUST_NONE', { pkiDir, fingerprint: fingerprint ?? 'any fingerprint' });
  if (matching.length > 1)
    throw new EdgeError('HW_EDGE_TRUST_AMBIGUOUS', {
      pkiDir,
      candidates: matching.map((c) => c.file),
    });
  const chosen = matching[0]!;
  const manager = new OPCUACertificateManager({ rootFolder: pkiDir, disableFileWatchers: true });
  try {
    await manager.initialize();
    await manager.trustCertificate(derOf(readFileSync(join(pkiDir, 'rejected', chosen.file))));
  } finally {
    await manager.dispose();
  }
  return chosen;
}

/** DER bytes of a certificate file (PEM blocks decoded and joined: a chain stays a chain). */
function derOf(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) return bytes;
  return Buffer.concat(blocks.map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
}
