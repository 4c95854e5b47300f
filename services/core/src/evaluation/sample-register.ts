/**
 * The sample being evaluated, shared by the engine and its evaluators: [ts, value].
 *
 * Why a register rather than arguments: on the hot path (hundreds of thousands of readings per
 * second) a double handed to a call that V8's optimiser does not inline is boxed into a fresh
 * heap number, and a double used on several rarely taken branches may be boxed eagerly on every
 * call. Evaluators therefore receive only small integers (point index, quality) and read the
 * timestamp and value from this typed array where they need them; a typed-array slot never
 * allocates. Measured by the evaluate benchmark (tools/bench/src/evaluate-bench.ts).
 */
export type SampleRegister = Float64Array;

/** Source timestamp, ms UTC. */
export const SAMPLE_TS = 0;
/** Process value, point unit. */
export const SAMPLE_VALUE = 1;

export const createSampleRegister = (): SampleRegister => new Float64Array(2);
