import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Reading } from '@hazardwatch/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { isEdgeError } from '../src/errors.js';
import { rejectedCertificates, trustRejectedCertificate } from '../src/sources/opcua-trust.js';
import { makeOpcuaHarness, type OpcuaHarness } from './opcua-harness.js';
import { waitUntil } from './source-contract.js';

describe('trusting a plant server certificate', () => {
  let harness: OpcuaHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('moves the rejected server certificate into trusted/certs and the running source connects', async () => {
    harness = await makeOpcuaHarness({ tagCount: 2 });
    await harness.startPeer();
    const pkiDir = join(harness.pkiDir, 'client');
    const received: Reading[] = [];
    const source = harness.createSource({
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      acceptUnknownServerCertificate: false,
    });
    await source.start((r) => received.push(...r));
    // The first attempt refuses the unknown server and leaves its certificate in rejected/.
    await waitUntil(() => rejectedCertificates(pkiDir).length === 1, 15_000, 'the certificate rejected');
    await waitUntil(() => source.status().errors >= 2, 15_000, 'refused attempts');
    expect(source.status().state).toBe('connecting');
    expect(received).toEqual([]);

    const err: unknown = await trustRejectedCertificate(pkiDir, 'ffff').catch((e: unknown) => e);
    expect(isEdgeError(err, 'HW_EDGE_TRUST_NONE')).toBe(true);
    const [rejected] = rejectedCertificates(pkiDir);
    const trusted = await trustRejectedCertificate(pkiDir, rejected!.fingerprint.slice(0, 8));
    expect(trusted).toEqual(rejected);
    // node-opcua's layout: trusted/certs, and no copy left in rejected/ (rejected would win).
    expect(readdirSync(join(pkiDir, 'trusted', 'certs'))).toEqual([rejected!.file]);
    expect(existsSync(join(pkiDir, 'rejected', rejected!.file))).toBe(false);

    // No restart: the source reloads the PKI folders before its next attempt.
    await waitUntil(() => source.status().state === 'connected', 20_000, 'connected');
    await waitUntil(() => harness!.tags.every((t) => received.some((r) => r.tag === t)), 10_000, 'readings');
  });
});
