import { Worker } from 'node:worker_threads';
import type { MainToPublisher, PublisherSpec, PublisherToMain } from './publisher-worker.js';

export interface PublisherDone {
  readonly messages: number;
  readonly readings: number;
  readonly maxOutstanding: number;
}

/**
 * Runs publisher-worker.ts in its own thread and keeps telling it how many messages the ingest has
 * made durable (every 10 ms), which is what closes its loop. Resolves when it has published for
 * the spec's duration; the thread is gone by then.
 */
export async function runClosedLoopPublisher(
  spec: PublisherSpec,
  durableMessages: () => number,
): Promise<PublisherDone> {
  const worker = new Worker(new URL('./publisher-worker.js', import.meta.url), { workerData: spec });
  const progress = setInterval(
    () => worker.postMessage({ type: 'accepted', messages: durableMessages() } satisfies MainToPublisher),
    10,
  );
  try {
    return await new Promise<PublisherDone>((resolve, reject) => {
      worker.on('message', (m: PublisherToMain) =>
        m.type === 'done' ? resolve(m) : reject(new Error(m.message)),
      );
      worker.once('error', reject);
    });
  } finally {
    clearInterval(progress);
    await worker.terminate();
  }
}
