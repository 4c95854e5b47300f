import { closeSync, fsync } from 'node:fs';
import { EdgeError } from '../errors.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/**
 * Group commit for the spool's write segment: an fsync covers every write made before it
 * started, and callers that arrive while one runs share the next. One fsync per group, not per
 * batch, is what lets a durable spool keep up with many small appends.
 */
export class GroupCommit {
  private waiters: Waiter[] = [];
  private running: Promise<void> | undefined;
  /** Descriptors of rolled-over segments that the running fsync may still use. */
  private readonly retired: number[] = [];

  constructor(
    private readonly currentFd: () => number,
    private readonly dir: string,
  ) {}

  /** Resolves once everything written to the current descriptor before the call is on disk. */
  sync(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /**
   * Takes a descriptor that is no longer written (the caller fsynced it); it is closed once no
   * fsync can be using it, so a recycled descriptor number is never fsynced by mistake.
   */
  retire(fd: number): void {
    this.retired.push(fd);
    if (!this.running) this.closeRetired();
  }

  /** Waits for the fsyncs in flight and queued. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    this.closeRetired();
  }

  private kick(): void {
    if (this.running || this.waiters.length === 0) return;
    const batch = this.waiters;
    this.waiters = [];
    const fd = this.currentFd();
    this.running = new Promise<void>((done) => {
      fsync(fd, (err) => {
        this.running = undefined;
        this.closeRetired();
        const failure =
          err &&
          new EdgeError(
            'HW_EDGE_SPOOL_IO',
            { op: 'fsync', dir: this.dir, reason: err.message },
            { cause: err },
          );
        for (const w of batch) {
          if (failure) w.reject(failure);
          else w.resolve();
        }
        done();
        this.kick();
      });
    });
  }

  private closeRetired(): void {
    for (const fd of this.retired.splice(0)) closeSync(fd);
  }
}
