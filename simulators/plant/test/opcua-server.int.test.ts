import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  ClientSubscription,
  DataType,
  OPCUAClient,
  OPCUACertificateManager,
  TimestampsToReturn,
  UserTokenType,
  makeBrowsePath,
  type ClientSession,
  type DataValue,
} from 'node-opcua';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NormalOperation, loadSimulatedSite } from '../src/index.js';
import {
  PlantOpcuaFeed,
  opcuaTagsFromSite,
  startPlantOpcuaServer,
  type PlantOpcuaServer,
} from '../src/opcua/index.js';
import { CHLOR_ALKALI, EXAMPLE_SITE_YAML } from './example-site.js';

const logger = pino({ level: 'silent' });

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('plant OPC-UA server', () => {
  let pkiDir: string;
  let server: PlantOpcuaServer | undefined;
  let client: OPCUAClient | undefined;
  let clientCertificates: OPCUACertificateManager | undefined;

  beforeEach(() => {
    pkiDir = mkdtempSync(join(tmpdir(), 'hw-sim-opcua-'));
  });
  afterEach(async () => {
    await client?.disconnect();
    client = undefined;
    await clientCertificates?.dispose();
    clientCertificates = undefined;
    await server?.stop();
    server = undefined;
    rmSync(pkiDir, { recursive: true, force: true });
  });

  async function connect(
    url: string,
    identity?: { userName: string; password: string },
  ): Promise<ClientSession> {
    clientCertificates = new OPCUACertificateManager({
      rootFolder: join(pkiDir, 'client'),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    });
    client = OPCUAClient.create({
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 0 },
      clientCertificateManager: clientCertificates,
    });
    await client.connect(url);
    return identity === undefined
      ? client.createSession()
      : client.createSession({ type: UserTokenType.UserName, ...identity });
  }

  async function children(session: ClientSession, nodeId: string): Promise<Map<string, string>> {
    const result = await session.browse(nodeId);
    return new Map((result.references ?? []).map((r) => [r.browseName.name ?? '', r.nodeId.toString()]));
  }

  it('serves Objects/Site/Unit/Tag with stable NodeIds, values, status and subscriptions', async () => {
    server = await startPlantOpcuaServer({
      logger,
      pkiDir: join(pkiDir, 'server'),
      users: [{ userName: 'operator', password: 'secret' }],
      tags: [
        { site: 'SITE1', unit: 'TF01', tag: 'PT-1101', engineeringUnit: 'MPa', range: { min: 0, max: 2.5 } },
        { site: 'SITE1', unit: 'TF01', tag: 'TT-1101', initialValue: 21.5 },
        { site: 'SITE1', unit: 'U02', tag: 'XS-2001', dataType: 'Boolean' },
      ],
    });
    expect(server.port).toBeGreaterThan(0);
    expect(server.nodeIdOf('PT-1101')).toBe('ns=1;s=SITE1.TF01.PT-1101');
    const session = await connect(server.endpointUrl, { userName: 'operator', password: 'secret' });

    const sites = await children(session, 'i=85'); // ObjectsFolder
    expect(sites.get('SITE1')).toBe('ns=1;s=SITE1');
    const units = await children(session, 'ns=1;s=SITE1');
    expect([...units.keys()].sort()).toEqual(['TF01', 'U02']);
    const tags = await children(session, 'ns=1;s=SITE1.TF01');
    expect(tags.get('PT-1101')).toBe('ns=1;s=SITE1.TF01.PT-1101');
    expect(tags.get('TT-1101')).toBe('ns=1;s=SITE1.TF01.TT-1101');

    const [path] = await session.translateBrowsePath([
      makeBrowsePath('RootFolder', server.browsePathOf('TT-1101')!),
    ]);
    expect(path?.targets?.[0]?.targetId.toString()).toBe('ns=1;s=SITE1.TF01.TT-1101');

    const initial = await session.read({
      nodeId: 'ns=1;s=SITE1.TF01.TT-1101',
      attributeId: AttributeIds.Value,
    });
    expect(initial.value.value).toBe(21.5);
    expect(initial.statusCode.isGood()).toBe(true);

    const ts = Date.now() - 1000;
    expect(server.setValue('PT-1101', 1.25, 'uncertain', ts)).toBe(true);
    expect(server.setValue('NO-SUCH-TAG', 1)).toBe(false);
    const read = await session.read({ nodeId: 'ns=1;s=SITE1.TF01.PT-1101', attributeId: AttributeIds.Value });
    expect(read.value.value).toBe(1.25);
    expect(read.statusCode.name).toBe('UncertainLastUsableValue');
    expect(read.sourceTimestamp?.getTime()).toBe(ts);

    const euRange = await session.translateBrowsePath([
      makeBrowsePath('ns=1;s=SITE1.TF01.PT-1101', '.EURange'),
    ]);
    expect(euRange[0]?.statusCode.isGood()).toBe(true);

    const subscription = ClientSubscription.create(session, {
      requestedPublishingInterval: 50,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 100,
      publishingEnabled: true,
    });
    const seen: DataValue[] = [];
    const group = await subscription.monitorItems(
      [{ nodeId: 'ns=1;s=SITE1.U02.XS-2001', attributeId: AttributeIds.Value }],
      { samplingInterval: 0, queueSize: 10, discardOldest: true },
      TimestampsToReturn.Both,
    );
    group.on('changed', (_item, dataValue) => seen.push(dataValue));
    await waitUntil(() => seen.length >= 1, 5_000, 'initial notification');
    server.setValue('XS-2001', 1, 'bad');
    await waitUntil(() => seen.some((d) => d.value.value === true), 5_000, 'changed notification');
    const last = seen.at(-1)!;
    expect(last.value.dataType).toBe(DataType.Boolean);
    expect(last.statusCode.name).toBe('BadSensorFailure');
    await subscription.terminate();
  });

  it('restarts on the same port with the same nodes and the last values', async () => {
    server = await startPlantOpcuaServer({
      logger,
      pkiDir: join(pkiDir, 'server'),
      tags: [{ site: 'S', unit: 'U', tag: 'T1' }],
    });
    const port = server.port;
    server.setValue('T1', 7.5);
    await server.stop();
    expect(server.running).toBe(false);
    server.setValue('T1', 8.5); // the plant keeps running while its OPC-UA server is down
    await server.start();
    expect(server.port).toBe(port);
    const session = await connect(server.endpointUrl);
    const dv = await session.read({ nodeId: 'ns=1;s=S.U.T1', attributeId: AttributeIds.Value });
    expect(dv.value.value).toBe(8.5);

    server.addTags([{ site: 'S', unit: 'U', tag: 'T2', initialValue: 3 }]);
    const added = await session.read({ nodeId: 'ns=1;s=S.U.T2', attributeId: AttributeIds.Value });
    expect(added.value.value).toBe(3);
    server.removeTags(['T2']);
    const removed = await session.read({ nodeId: 'ns=1;s=S.U.T2', attributeId: AttributeIds.Value });
    expect(removed.statusCode.name).toBe('BadNodeIdUnknown');
  });

  it('refuses duplicate tags and unsafe names', async () => {
    await expect(
      startPlantOpcuaServer({
        logger,
        pkiDir: join(pkiDir, 'server'),
        tags: [
          { site: 'S', unit: 'U', tag: 'T1' },
          { site: 'S', unit: 'U2', tag: 'T1' },
          { site: 'S.X', unit: 'U', tag: 'T3' },
        ],
      }),
    ).rejects.toMatchObject({ code: 'HW_SIM_OPTIONS_INVALID' });
  });

  it('is fed from the simulated plant, one write per point per tick', async () => {
    const site = loadSimulatedSite(EXAMPLE_SITE_YAML);
    const tags = opcuaTagsFromSite(site, { enterprise: CHLOR_ALKALI });
    expect(tags.length).toBeGreaterThan(0);
    server = await startPlantOpcuaServer({ logger, pkiDir: join(pkiDir, 'server'), tags });
    const values = new NormalOperation(42);
    const feed = new PlantOpcuaFeed(server, site, CHLOR_ALKALI, values);
    const ts = Date.now();
    expect(feed.tick(ts)).toBe(tags.length);
    const first = tags[0]!;
    const point = site.points.find((p) => p.enterprise === CHLOR_ALKALI && p.tag === first.tag)!;
    const session = await connect(server.endpointUrl);
    const dv = await session.read({ nodeId: server.nodeIdOf(first.tag)!, attributeId: AttributeIds.Value });
    expect(dv.value.value).toBe(values.valueAt(point, ts));
    expect(dv.sourceTimestamp?.getTime()).toBe(ts);
  });
});
