import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FanoutLoadSpec, LoadToParent, ParentToLoad } from './fanout-load.js';

type Message<T extends LoadToParent['type']> = Extract<LoadToParent, { type: T }>;

export interface LoadChild {
  readonly child: ChildProcess;
  next<T extends LoadToParent['type']>(type: T): Promise<Message<T>>;
  send(message: ParentToLoad): void;
}

/**
 * A load generator (fleet or socket.io clients, fanout-load.ts) in a child process, so the
 * benchmark process measures the system under test alone and the generator's bursts never run on
 * the system's event loop.
 */
export function spawnLoad(spec: FanoutLoadSpec): LoadChild {
  const child = fork(fileURLToPath(new URL('./fanout-load.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: LoadToParent[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  child.on('message', (m: LoadToParent) => {
    if (m.type === 'error') failure = new Error(`load (${spec.role}) failed: ${m.message}`);
    else queue.push(m);
    wake?.();
  });
  child.once('exit', (code) => {
    failure ??= new Error(`load (${spec.role}) exited (${code ?? 'signal'}) early`);
    wake?.();
  });
  const start: ParentToLoad = { type: 'start', spec };
  child.send(start);
  return {
    child,
    send: (message) => child.send(message),
    next: async <T extends LoadToParent['type']>(type: T): Promise<Message<T>> => {
      for (;;) {
        const i = queue.findIndex((m) => m.type === type);
        if (i >= 0) return queue.splice(i, 1)[0] as Message<T>;
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

/** Waits for the child to exit, killing it after `timeoutMs`. */
export async function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await once(child, 'exit');
  } finally {
    clearTimeout(timer);
  }
}

/** Stops children still running: SIGTERM, then SIGKILL after 10 s. */
export async function stopLoad(children: readonly LoadChild[]): Promise<void> {
  for (const { child } of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await exited(child, 10_000).catch(() => child.kill('SIGKILL'));
  }
}
