import { describe, expect, it } from 'vitest';
import { startProcess, stopProcess } from './process-support.js';

/**
 * A program whose output reaches the pipe only as it ends (Mosquitto's `log_dest stdout` is
 * block-buffered into a pipe and flushed at exit) can have its 'exit' event arrive before that
 * output is read: the systemd-mosquitto int test once saw '' where the broker had written its
 * "Saving in-memory database" line. What the helpers answer after an end holds all of the output.
 * Here the last words come from a child that outlives the program by 300 ms, holding its pipe.
 */
describe('process-support: the output is complete when the end is reported', () => {
  it('exited resolves after output written as the program ends', async () => {
    const started = startProcess('sh', ['-c', '(sleep 0.3; echo last-words) & exit 0']);
    expect(await started.exited).toEqual({ code: 0, signal: null });
    expect(started.output()).toContain('last-words');
  });

  it('stopProcess answers after output written on SIGTERM', async () => {
    const started = startProcess('sh', [
      '-c',
      'trap "(sleep 0.3; echo saved-on-term) & exit 0" TERM; echo up; while :; do sleep 0.05; done',
    ]);
    while (!started.output().includes('up')) await new Promise((r) => setTimeout(r, 20));
    expect(await stopProcess(started.child, 5_000)).toEqual({ code: 0, signal: null });
    expect(started.output()).toContain('saved-on-term');
  });

  it('a program whose descendants keep the pipe open is still reported ended, after a bounded wait', async () => {
    const started = startProcess('sh', ['-c', '(sleep 4) & exit 0']);
    const t0 = Date.now();
    expect(await started.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
