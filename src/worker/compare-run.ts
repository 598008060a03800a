/**
 * One run of the compare page: a solver with its own settings on the shared
 * V, its points and its play/pause/step commands. Commands of one run execute
 * one at a time in arrival order. Training runs in a loop outside that
 * queue, so the worker returns `poll()` results while the run trains.
 */
import type { GpuMatrixV } from '../nmf/gpu-matrix-v.ts';
import { GpuNmf } from '../nmf/gpu-solver.ts';
import type { U8Matrix } from '../nmf/matrix.ts';
import type { IterationRecord } from '../nmf/measures.ts';
import { CpuNmf } from '../nmf/reference.ts';
import { toWireError, type RunComponents, type RunPoint, type RunSettings, type RunState, type RunStatus, type WireError } from './protocol.ts';

/** Iterations per batch while a run plays; a pause is noticed after at most one batch. */
const BATCH_ITERATIONS = 5;
/** Time the CPU engine computes before it yields to the worker's message queue (milliseconds). */
const CPU_SLICE_MS = 30;

/** The part of an NMF engine that a run drives. */
export interface RunEngine {
  readonly iteration: number;
  readonly rank: number;
  /** Runs exactly `iterations` iterations unless `signal` aborts, and returns one record per iteration. */
  run(iterations: number, signal?: AbortSignal): Promise<IterationRecord[]>;
  readH(): Promise<Float32Array>;
  destroy(): void;
}

function engineOptions(settings: RunSettings, label: string) {
  const { solver, beta, init, seed, rank, alphaW, alphaH, l1Ratio } = settings;
  return { solver, beta, init, seed, rank, alphaW, alphaH, l1Ratio, label };
}

/** Creates a WebGPU solver on the shared V. */
export async function createGpuRunEngine(device: GPUDevice, v: GpuMatrixV, settings: RunSettings, label: string): Promise<RunEngine> {
  const nmf = await GpuNmf.create(device, v, engineOptions(settings, label));
  return {
    get iteration() {
      return nmf.iteration;
    },
    rank: nmf.rank,
    run: (iterations, signal) => nmf.run(iterations, { lossEvery: 1, iterationsPerSubmit: BATCH_ITERATIONS, signal }),
    readH: () => nmf.readH(),
    destroy: () => nmf.destroy(),
  };
}

/** Creates the float64 CPU solver, which yields to the message queue every CPU_SLICE_MS. */
export async function createCpuRunEngine(v: U8Matrix, settings: RunSettings): Promise<RunEngine> {
  const nmf = await CpuNmf.create(v, engineOptions(settings, 'compare'));
  // The slice spans calls: short batches in a loop must yield too, or they starve the worker's message queue.
  let sliceStart = performance.now();
  return {
    get iteration() {
      return nmf.iteration;
    },
    rank: nmf.rank,
    async run(iterations, signal) {
      const records: IterationRecord[] = [];
      for (let i = 0; i < iterations && !signal?.aborted; i++) {
        nmf.step();
        records.push(nmf.measure());
        if (performance.now() - sliceStart > CPU_SLICE_MS) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          sliceStart = performance.now();
        }
      }
      return records;
    },
    readH: async () => Float32Array.from(nmf.H),
    destroy: () => undefined,
  };
}

export class CompareRun {
  state: RunState = 'starting';
  /** Points of every iteration; entry i is iteration i + 1. */
  readonly points: RunPoint[] = [];
  private engine?: RunEngine;
  private error?: WireError;
  private seconds = 0;
  private loop?: Promise<void>;
  private loopAbort?: AbortController;
  private queue: Promise<unknown> = Promise.resolve();
  private pendingComponents?: RunComponents;
  private componentsSequence = 0;
  private componentsWanted = true;

  constructor(private readonly image: { width: number; height: number }) {}

  /** Waits for `create` and starts paused, or keeps its error and starts failed. */
  start(create: () => Promise<RunEngine>): Promise<void> {
    return this.exclusive(async () => {
      try {
        this.engine = await create();
        this.state = 'paused';
        await this.takeComponents();
      } catch (error) {
        this.fail(error);
      }
    });
  }

  get status(): RunStatus {
    return { state: this.state, iteration: this.engine?.iteration ?? 0, ...(this.error ? { error: this.error } : {}) };
  }

  play(): Promise<void> {
    return this.exclusive(async () => {
      const engine = this.requireEngine();
      if (this.loop) return;
      const abort = new AbortController();
      this.loopAbort = abort;
      this.state = 'training';
      this.loop = this.trainUntilAborted(engine, abort.signal).finally(() => {
        this.loop = undefined;
        this.loopAbort = undefined;
      });
    });
  }

  pause(): Promise<number> {
    return this.exclusive(async () => {
      await this.stopLoop();
      return this.engine?.iteration ?? 0;
    });
  }

  step(iterations: number): Promise<number> {
    if (!Number.isInteger(iterations) || iterations < 1) {
      return Promise.reject(new RangeError(`step of ${iterations} iterations is invalid; use a positive integer`));
    }
    return this.exclusive(async () => {
      await this.stopLoop();
      const engine = this.requireEngine();
      this.state = 'training';
      try {
        await this.runBatch(engine, iterations);
        await this.takeComponents();
        this.state = 'paused';
      } catch (error) {
        this.fail(error);
      }
      return engine.iteration;
    });
  }

  /** Returns the points from `from` on. */
  pointsSince(from: number): { from: number; points: RunPoint[] } {
    const start = Math.min(from, this.points.length);
    return { from: start, points: this.points.slice(start) };
  }

  /** Returns a components snapshot newer than `sequence` once, and requests the next one from the training loop. */
  takePendingComponents(sequence: number): RunComponents | null {
    const pending = this.pendingComponents;
    const delivered = pending && pending.sequence > sequence ? pending : null;
    if (delivered) this.pendingComponents = undefined;
    // The next snapshot is taken only once this one is delivered, which bounds snapshots to the page's frame rate.
    if (!this.pendingComponents) this.componentsWanted = true;
    return delivered;
  }

  /** Stops training and frees the solver. */
  async destroy(): Promise<void> {
    this.loopAbort?.abort();
    await this.queue;
    await this.loop;
    this.engine?.destroy();
    this.engine = undefined;
  }

  private async trainUntilAborted(engine: RunEngine, signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        await this.runBatch(engine, BATCH_ITERATIONS, signal);
        if (this.componentsWanted && !signal.aborted) await this.takeComponents();
      }
      await this.takeComponents();
      this.state = 'paused';
    } catch (error) {
      this.fail(error);
    }
  }

  private async runBatch(engine: RunEngine, iterations: number, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    const records = await engine.run(iterations, signal);
    // NOTE: runs that play together share the GPU (or the worker's thread on
    // the CPU), so each run's seconds include time the others' work delayed it.
    const elapsed = (performance.now() - started) / 1000;
    const base = this.seconds;
    records.forEach((record, i) => {
      this.points.push({
        iteration: record.iteration,
        loss: record.loss,
        relativeError: record.relativeError,
        explainedVariance: record.explainedVariance,
        sparsenessW: record.sparsenessW,
        sparsenessH: record.sparsenessH,
        zerosW: record.zerosW,
        zerosH: record.zerosH,
        seconds: base + (elapsed * (i + 1)) / records.length,
      });
    });
    this.seconds = base + elapsed;
  }

  private async takeComponents(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    const iteration = engine.iteration;
    const H = await engine.readH();
    this.componentsWanted = false;
    this.pendingComponents = { sequence: ++this.componentsSequence, iteration, rank: engine.rank, ...this.image, H };
  }

  private async stopLoop(): Promise<void> {
    this.loopAbort?.abort();
    await this.loop;
  }

  private requireEngine(): RunEngine {
    if (!this.engine) throw new Error(this.error ? `this run failed: ${this.error.message}` : 'this run has no solver yet; wait until it starts');
    if (this.state === 'failed') throw new Error(`this run failed: ${this.error?.message ?? 'unknown error'}; change its settings to start it again`);
    return this.engine;
  }

  private fail(error: unknown): void {
    this.state = 'failed';
    this.error = toWireError(error);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
