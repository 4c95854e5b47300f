import { describe, expect, it } from 'vitest';
import { preloadsTimescale, timescaleUsability } from '@hazardwatch/store';

describe('timescaleUsability: can CREATE EXTENSION timescaledb work in this session', () => {
  // A server with TimescaleDB installed but not preloaded closes the session with a FATAL on
  // CREATE EXTENSION ("extension "timescaledb" must be preloaded", issue #20): never try it there.
  it.each([
    [{ available: false, installed: false, preloaded: false, hostLoaded: false }, false],
    [{ available: true, installed: false, preloaded: false, hostLoaded: false }, false],
    [{ available: true, installed: true, preloaded: false, hostLoaded: false }, false],
    [{ available: true, installed: false, preloaded: true, hostLoaded: false }, true],
    [{ available: true, installed: true, preloaded: true, hostLoaded: false }, true],
    // A role that may not read shared_preload_libraries: try, and fall back if CREATE EXTENSION fails.
    [{ available: true, installed: false, preloaded: undefined, hostLoaded: false }, true],
    // PGlite loads the library itself (its `extensions` option), shared_preload_libraries is empty.
    [{ available: true, installed: false, preloaded: false, hostLoaded: true }, true],
    [{ available: false, installed: false, preloaded: false, hostLoaded: true }, false],
  ])('%o → usable %s', (probe, usable) => {
    const answer = timescaleUsability(probe);
    expect(answer.usable).toBe(usable);
    if (!answer.usable) expect(answer.reason).toMatch(/not installed|shared_preload_libraries/);
  });

  it.each([
    ['', false],
    ['timescaledb', true],
    ['pg_stat_statements, timescaledb', true],
    ['"timescaledb",pg_stat_statements', true],
    ['$libdir/timescaledb', true],
    ['timescaledb-2.17.2', true],
    ['timescaledb_toolkit', false],
    ['pg_stat_statements', false],
  ])('shared_preload_libraries %j → preloaded %s', (setting, preloaded) => {
    expect(preloadsTimescale(setting)).toBe(preloaded);
  });
});
