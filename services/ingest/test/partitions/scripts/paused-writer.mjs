// A leased worker in its own process, for partition-paused.int.test.ts (issue #23): it keeps its
// share of the partitions through the lease table and, every 50 ms, writes an alarm event for one
// gateway under the epoch it was granted — without asking whether it still holds the partition, as
// a write prepared just before the process was paused would. Each outcome is a JSON line on stdout.
// Runs the built packages (dist), like the CLI's process tests.
import { setInterval } from 'node:timers';
import pg from 'pg';
import pino from 'pino';
import { systemClock } from '@hazardwatch/kit';
import { PARTITION_COUNT, PartitionKeeper, partitionOf } from '@hazardwatch/ingest';
import { AlarmRepository, LeaseRepository, sqlClientFromPg, storeErrors } from '@hazardwatch/store';

const [url, workerId, enterprise] = process.argv.slice(2);
const say = (o) => process.stdout.write(`${JSON.stringify({ at: Date.now(), ...o })}\n`);
const pool = new pg.Pool({ connectionString: url, max: 3 });
pool.on('error', () => undefined);
const client = sqlClientFromPg(pool);
const partition = partitionOf(enterprise);
const granted = new Map();
const keeper = new PartitionKeeper({
  workerId,
  count: PARTITION_COUNT,
  leaseMs: 1500,
  heartbeatMs: 300,
  marginMs: 300,
  store: new LeaseRepository(client),
  clock: systemClock,
  logger: pino({ level: 'silent' }),
  onAcquired: async (g) => {
    granted.set(g.partition, g.epoch);
    say({ acquired: g.partition, epoch: g.epoch });
  },
  onLost: (g, reason) => say({ lost: g.partition, epoch: g.epoch, reason }),
});
await keeper.start();

const alarms = new AlarmRepository(client);
let n = 0;
setInterval(() => {
  const epoch = granted.get(partition);
  if (epoch === undefined) return;
  const ts = Date.now();
  const alarmId = `${workerId}-${n++}`;
  const source = { kind: 'gateway', enterprise, gateway: 'GW1' };
  const record = {
    id: alarmId,
    source,
    sourceKey: `gateway:${enterprise}/GW1`,
    condition: 'GATEWAY_OFFLINE',
    state: 'NORM',
    active: false,
    latched: false,
    colour: 'blue',
    raisedAt: ts,
    stateSinceMs: ts,
    lastActivationMs: ts,
    ackedAt: null,
    ackedBy: null,
    value: null,
    limit: null,
    shelvedUntilMs: null,
    shelveReason: null,
    suppressReason: null,
    suppressedBy: null,
    outOfServiceReason: null,
    chattering: false,
  };
  const event = {
    alarmId,
    sourceKey: record.sourceKey,
    pointId: null,
    condition: 'GATEWAY_OFFLINE',
    from: 'NORM',
    to: 'NORM',
    ts,
    actor: workerId,
    reason: null,
    value: null,
  };
  alarms
    .write({ alarms: [record], events: [event], colourChanges: [] }, undefined, {
      partitions: [partition],
      epochs: [epoch],
    })
    .then(
      () => say({ write: 'stored', epoch, ts }),
      (err) => say({ write: storeErrors.is(err, 'HW_STORE_LEASE_STALE') ? 'refused' : 'failed', epoch, ts }),
    );
}, 50);
