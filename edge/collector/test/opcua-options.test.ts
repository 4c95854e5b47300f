import { describe, expect, it } from 'vitest';
import { compileOpcuaOptions, isEdgeError, type OpcuaSourceOptions } from '../src/index.js';

const base: OpcuaSourceOptions = {
  name: 'plant-dcs',
  endpointUrl: 'opc.tcp://dcs:4840',
  tags: [{ tag: 'PT-1', nodeId: 'ns=1;s=A.B.PT-1' }],
};

describe('compileOpcuaOptions', () => {
  it('fills the documented defaults', () => {
    const o = compileOpcuaOptions(base);
    expect(o).toMatchObject({
      securityMode: 'None',
      securityPolicy: 'None',
      samplingIntervalMs: 1000,
      publishingIntervalMs: 1000,
      maxKeepAliveCount: 10,
      maxItemsPerSubscription: 1000,
      maxItemsPerCall: 500,
      reconnectInitialMs: 1000,
      reconnectMaxMs: 30_000,
      watchdogMs: 30_000,
      acceptUnknownServerCertificate: false,
    });
    expect(o.tags[0]).toEqual({
      index: 0,
      tag: 'PT-1',
      nodeId: 'ns=1;s=A.B.PT-1',
      scale: { factor: 1, offset: 0 },
    });
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('defaults the policy of a secure mode to Basic256Sha256', () => {
    expect(
      compileOpcuaOptions({ ...base, securityMode: 'SignAndEncrypt', pkiDir: '/tmp/x' }).securityPolicy,
    ).toBe('Basic256Sha256');
  });

  it('names every problem at once', () => {
    let caught: unknown;
    try {
      compileOpcuaOptions({
        ...base,
        endpointUrl: 'http://dcs',
        securityMode: 'Sign',
        securityPolicy: 'None',
        userName: 'op',
        publishingIntervalMs: 0,
        tags: [
          { tag: 'A', nodeId: 'ns=1;s=A' },
          { tag: 'A', browsePath: '/Objects/1:A' },
          { tag: 'B', nodeId: 'ns=1;s=B', browsePath: '/Objects/1:B' } as never,
        ],
      });
    } catch (err) {
      caught = err;
    }
    expect(isEdgeError(caught, 'HW_EDGE_SOURCE_CONFIG')).toBe(true);
    const issues = (caught as { data: { issues: string[] } }).data.issues;
    expect(issues).toHaveLength(7);
  });
});
