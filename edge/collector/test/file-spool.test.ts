import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileSpool } from '../src/spool/file-spool.js';
import { openFileSpool, type FileSpoolOptions } from '../src/spool/file-spool.js';
import type { SpoolDrop, SpoolEntry } from '../src/spool/spool.js';
import { batch, spoolContract, T0, type SpoolHarness } from './spool-contract.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'hw-spool-'));
}

function harness(extra: Partial<FileSpoolOptions>): () => Promise<SpoolHarness> {
  return () => {
    const dir = tempDir();
    return Promise.resolve({
      open: (bounds = {}) => openFileSpool({ dir, ageCheckIntervalMs: 0, ...extra, ...bounds }),
      cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  };
}

spoolContract('FileSpool, fsync always', harness({}));
spoolContract('FileSpool, fsync none, small segments', harness({ fsync: 'none', segmentBytes: 700 }));

describe('FileSpool on disk', () => {
  let dir: string;
  let spool: FileSpool | undefined;
  const open = async (options: Partial<FileSpoolOptions> = {}): Promise<FileSpool> => {
    await spool?.close();
    spool = await openFileSpool({ dir, ageCheckIntervalMs: 0, now: () => T0 + 10_000, ...options });
    return spool;
  };
  const files = (ext: string): string[] =>
    readdirSync(dir)
      .filter((f) => f.endsWith(ext))
      .sort();
  const onlySegment = (): string => {
    const logs = files('.log');
    expect(logs).toHaveLength(1);
    return join(dir, logs[0]!);
  };

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await spool?.close();
    spool = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('cuts a torn tail record and appends cleanly after it', async () => {
    let s = await open();
    for (let i = 0; i < 3; i++) await s.append(batch(2, i * 2));
    await s.close();
    spool = undefined;
    // The frame of a write that never finished: it claims 500 payload bytes, 20 are there.
    const torn = Buffer.alloc(28);
    torn.writeUInt32LE(500, 0);
    appendFileSync(onlySegment(), torn);
    const sizeWithTail = readFileSync(onlySegment()).length;

    s = await open();
    const drops: SpoolDrop[] = [];
    s.onDrop((d) => drops.push(d));
    expect(readFileSync(onlySegment()).length).toBe(sizeWithTail - 28);
    expect(s.depth().entries).toBe(3);
    const fourth = await s.append(batch(2, 6));
    s = await open();
    expect(s.take(10).map((e) => e.readings)).toEqual([0, 2, 4, 6].map((i) => batch(2, i)));
    expect(s.take(10)).toEqual([]);
    expect(fourth.id).toBe(4);
    expect(drops).toEqual([]);
  });

  it('drops a record whose bytes were damaged, reports it once, and keeps its neighbours', async () => {
    let s = await open();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await s.append(batch(3, i * 3))).id);
    await s.close();
    spool = undefined;
    const path = onlySegment();
    const bytes = readFileSync(path);
    const secondRecordJson = bytes.indexOf('TI-00003');
    expect(secondRecordJson).toBeGreaterThan(0);
    bytes.write('XX', secondRecordJson);
    writeFileSync(path, bytes);

    s = await open();
    const drops: SpoolDrop[] = [];
    s.onDrop((d) => drops.push(d));
    expect(drops).toEqual([{ reason: 'corrupt', entries: 1, readings: 0 }]);
    expect(s.take(10).map((e) => e.id)).toEqual([ids[0], ids[2]]);

    s = await open();
    const later: SpoolDrop[] = [];
    s.onDrop((d) => later.push(d));
    expect(later).toEqual([]);
    expect(s.take(10).map((e) => e.readings)).toEqual([batch(3, 0), batch(3, 6)]);
  });

  it('resynchronises after a damaged length field instead of losing the rest of the segment', async () => {
    let s = await open();
    for (let i = 0; i < 4; i++) await s.append(batch(2, i * 2));
    await s.close();
    spool = undefined;
    const path = onlySegment();
    const bytes = readFileSync(path);
    const recordLength = bytes.readUInt32LE(0) + 8;
    bytes.writeUInt32LE(0xffffff, recordLength); // the second record's length
    writeFileSync(path, bytes);

    s = await open();
    const drops: SpoolDrop[] = [];
    s.onDrop((d) => drops.push(d));
    expect(drops).toEqual([{ reason: 'corrupt', entries: 1, readings: 0 }]);
    expect(s.take(10).map((e) => e.readings)).toEqual([batch(2, 0), batch(2, 4), batch(2, 6)]);
  });

  it('reports a record damaged while the spool is open when take reads it back', async () => {
    const s = await open();
    const drops: SpoolDrop[] = [];
    s.onDrop((d) => drops.push(d));
    const a = await s.append(batch(2, 0));
    await s.append(batch(2, 2));
    const path = onlySegment();
    const bytes = readFileSync(path);
    bytes.write('XX', bytes.indexOf('TI-00002'));
    writeFileSync(path, bytes);
    expect(s.take(10).map((e) => e.id)).toEqual([a.id]);
    expect(drops).toEqual([
      {
        reason: 'corrupt',
        entries: 1,
        readings: 2,
        oldestTs: batch(2, 2)[0]!.ts,
        newestTs: batch(2, 2)[1]!.ts,
      },
    ]);
    expect(s.depth().entries).toBe(1);
  });

  it('rolls segments at segmentBytes and deletes a segment once all its entries are removed', async () => {
    const s = await open({ segmentBytes: 1024 });
    const entries: SpoolEntry[] = [];
    for (let i = 0; i < 12; i++) entries.push(await s.append(batch(5, i * 5)));
    const segments = files('.log');
    expect(segments.length).toBeGreaterThan(3);
    const firstIds = segments.map((f) => Number(/seg-(\d+)\.log/.exec(f)![1]));
    expect(firstIds[0]).toBe(entries[0]!.id);

    // Removing all but the first entry of segment 1 keeps it; the ack log remembers the removals.
    const secondStart = firstIds[1]!;
    await s.remove(entries.filter((e) => e.id > entries[0]!.id && e.id < secondStart).map((e) => e.id));
    expect(files('.log')).toEqual(segments);
    expect(files('.ack').length).toBe(1);
    await s.remove([entries[0]!.id]);
    expect(files('.log')).toEqual(segments.slice(1));
    expect(files('.ack')).toEqual([]);

    await s.remove(entries.map((e) => e.id));
    expect(s.depth().entries).toBe(0);
    // The newest segment stays: its name carries the next id across a restart.
    expect(files('.log')).toEqual(segments.slice(-1));
    const reopened = await open({ segmentBytes: 1024 });
    expect((await reopened.append(batch(1))).id).toBe(entries.at(-1)!.id + 1);
  });

  it('sweeps old entries behind young ones on expire(), driven by a manual clock', async () => {
    const t0 = T0;
    let now = t0;
    const s = await open({ maxAgeMs: 1000, now: () => now });
    const drops: SpoolDrop[] = [];
    s.onDrop((d) => drops.push(d));
    const young = await s.append(batch(1, 0, t0 + 5000));
    await s.append(batch(2, 1, t0));
    const leased = await s.append(batch(1, 3, t0), { lease: true });
    now = t0 + 2000;
    s.expire();
    expect(drops).toEqual([{ reason: 'max_age', entries: 1, readings: 2, oldestTs: t0, newestTs: t0 + 1 }]);
    // A leased entry is being published; it is not taken from under the publisher.
    s.release([leased.id]);
    s.expire();
    expect(drops).toHaveLength(2);
    expect(s.take(10).map((e) => e.id)).toEqual([young.id]);
  });

  it('delivers drops found while opening to the first listener', async () => {
    let s = await open();
    await s.append(batch(1, 0));
    await s.close();
    spool = undefined;
    const path = onlySegment();
    const bytes = readFileSync(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(path, bytes);
    s = await open();
    expect(s.depth().entries).toBe(0);
    const drops: SpoolDrop[] = [];
    s.onDrop((d) => drops.push(d));
    s.onDrop(() => undefined);
    expect(drops).toEqual([{ reason: 'corrupt', entries: 1, readings: 0 }]);
  });

  it('keeps the bytes on disk within maxBytes while most entries are acknowledged and some are not', async () => {
    const maxBytes = 1024 * 1024;
    // Default segment size; nothing in the spool would reach maxBytes on its own.
    const s = await open({ maxBytes, fsync: 'none' });
    const drops: SpoolDrop[] = [];
    s.onDrop((d) => drops.push(d));
    const onDisk = (): number => readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    let largest = 0;
    for (let i = 0; i < 3_000; i++) {
      const entry = await s.append(batch(20, i * 20));
      // The broker acknowledges all but every 100th batch (a PUBACK lost with a reconnect).
      if (i % 100 !== 0) await s.remove([entry.id]);
      largest = Math.max(largest, onDisk());
    }
    expect(largest).toBeLessThanOrEqual(maxBytes);
    // Dropping to stay within the bound is reported, never silent.
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((d) => d.reason === 'max_bytes')).toBe(true);
  });
});
