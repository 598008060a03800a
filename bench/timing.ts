/**
 * Wall-clock timing of GPU work that is complete when a promise settles.
 *
 * Every side of a comparison hands `measure` the same kind of callback: run
 * the work `repetitions` times, submit it, and resolve once the GPU has
 * finished (not merely once it was enqueued). Both sides therefore pay the
 * same submit and completion-wait overheads, and only those.
 */

export interface TimingOptions {
  /** Timed trials per measurement, whose median is the result. */
  trials: number;
  /** Minimum seconds per trial, reached by choosing the repetition count. */
  minSeconds: number;
  /** Upper bound on repetitions per trial, so latency-bound work stays short. */
  maxRepetitions: number;
}

/** Runs the work `repetitions` times and resolves once the GPU has finished all of it. */
export type RunRepeated = (repetitions: number) => Promise<void>;

export interface Measurement {
  /** Median seconds of one repetition over the trials. */
  seconds: number;
  /** Repetitions in each trial. */
  repetitions: number;
  /** Seconds of one repetition in each trial, in the order run. */
  trialSeconds: number[];
}

export async function timeOnce(run: RunRepeated, repetitions: number): Promise<number> {
  const start = performance.now();
  await run(repetitions);
  return (performance.now() - start) / 1000;
}

/**
 * Measures the median time of one repetition of each run.
 *
 * An untimed call first compiles pipelines and uploads lazily created
 * inputs. A timed call of one repetition then sets how many repetitions a
 * trial needs. The trials of all runs alternate, so a change in machine
 * load during the measurement affects every run alike.
 */
export async function measure(runs: readonly RunRepeated[], options: TimingOptions): Promise<Measurement[]> {
  const counts: number[] = [];
  for (const run of runs) {
    await run(1);
    const single = await timeOnce(run, 1);
    counts.push(repetitionsFor(single, options));
  }

  const trialSeconds = runs.map((): number[] => []);
  for (let trial = 0; trial < options.trials; trial++) {
    for (const [index, run] of runs.entries()) {
      trialSeconds[index].push((await timeOnce(run, counts[index])) / counts[index]);
    }
  }
  return runs.map((_, index) => ({ seconds: median(trialSeconds[index]), repetitions: counts[index], trialSeconds: trialSeconds[index] }));
}

export interface SlopeMeasurement {
  /** Median seconds of one more repetition: the slope of time over repetitions. */
  seconds: number;
  /** Median seconds a call costs beyond its repetitions: the intercept. */
  fixedSeconds: number;
  /** Each trial times `repetitions` and then twice as many. */
  repetitions: number;
  /** Slope of each trial, in the order run. */
  trialSeconds: number[];
}

/**
 * Measures the cost of one repetition of work whose every call also pays a
 * fixed cost, such as a loss evaluation and read-back at the end of a run.
 *
 * Each trial times n and 2n repetitions, and their difference over n is the
 * time of one repetition because both calls pay the fixed cost once. n is
 * chosen so that n repetitions last at least `minSeconds`, estimated from
 * an untimed warm-up, one repetition and three. Trials of all runs
 * alternate, as in `measure`. When the fixed cost varies by more than n
 * repetitions take, the slope is noise and can even be negative.
 */
export async function measureSlope(runs: readonly RunRepeated[], options: TimingOptions): Promise<SlopeMeasurement[]> {
  const counts: number[] = [];
  for (const run of runs) {
    await run(1);
    const one = await timeOnce(run, 1);
    const three = await timeOnce(run, 3);
    // The floor of three / 12 keeps a noisy difference from asking for
    // hundreds of repetitions: n repetitions then last at most 4 · minSeconds.
    counts.push(repetitionsFor(Math.max((three - one) / 2, three / 12), options));
  }

  const slopes = runs.map((): number[] => []);
  const intercepts = runs.map((): number[] => []);
  for (let trial = 0; trial < options.trials; trial++) {
    for (const [index, run] of runs.entries()) {
      const n = counts[index];
      const single = await timeOnce(run, n);
      const double = await timeOnce(run, 2 * n);
      const slope = (double - single) / n;
      slopes[index].push(slope);
      intercepts[index].push(single - n * slope);
    }
  }
  return runs.map((_, index) => ({
    seconds: median(slopes[index]),
    fixedSeconds: median(intercepts[index]),
    repetitions: counts[index],
    trialSeconds: slopes[index],
  }));
}

/** Returns the repetitions that make a trial last `minSeconds`, given the seconds of one. */
function repetitionsFor(secondsEach: number, options: TimingOptions): number {
  return Math.min(options.maxRepetitions, Math.max(1, Math.ceil(options.minSeconds / Math.max(secondsEach, 1e-6))));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list is undefined');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Floating-point operations of an M × K by K × N product: one multiply and one add per term. */
export function matmulFlops(m: number, n: number, k: number): number {
  return 2 * m * n * k;
}

export function gflops(flops: number, seconds: number): number {
  return flops / seconds / 1e9;
}
