/** Milliseconds since the epoch, sub-millisecond, comparable between processes on one machine. */
export const epochNow = (): number => performance.timeOrigin + performance.now();
