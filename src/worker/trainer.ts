/**
 * The training state the worker owns: one solver on one dataset, its loss
 * history, the last snapshot of W and H, and the play/pause/step/reset
 * commands. Commands run one at a time in the order they arrive; training
 * itself runs in a loop outside that queue, so the worker returns `poll()` results while
 * it runs.
 */
import type { Factors } from '../nmf/init.ts';
import type { U8Matrix } from '../nmf/matrix.ts';
import {
  EventType,
  toWireError,
  type ErrorEventMessage,
  type LossPoint,
  type PollCursor,
  type Recovery,
  type Settings,
  type SnapshotEvent,
  type TrainingState,
  type WorkerEvent,
} from './protocol.ts';
import { reconstruct, spreadSamples } from './snapshot.ts';
import type { Solver, SolverStart } from './solver.ts';
import { checkSettings } from './settings.ts';

export interface TrainerHost {
  createSolver(v: U8Matrix, start: SolverStart): Promise<Solver>;
  /** Tells a device loss apart from other errors that stopped a run. */
  isDeviceLoss(error: unknown): Promise<boolean>;
}

export interface TrainingData {
  matrix: U8Matrix;
  width: number;
  height: number;
}

/** The factors as the last snapshot read them, kept in CPU memory to resume from after a device loss. */
export type FactorBackup = Factors & { iteration: number };

/** Samples shown above their reconstruction until the page chooses others. */
const DEFAULT_SAMPLE_COUNT = 6;
/** Error events kept for pages that have not polled yet. */
const MAX_ERRORS = 50;
/** Time one GPU submit should take, so a pause is noticed within about this long (milliseconds). */
const SUBMIT_TARGET_MS = 100;
/**
 * Longest time between two read-backs of W and H while training, even when
 * the page polls for none (a hidden tab), so that a device loss costs at most
 * this much training (milliseconds).
 */
const BACKUP_INTERVAL_MS = 5000;
/** Window of the iterations-per-second figure (milliseconds). */
const RATE_WINDOW_MS = 3000;

export class Trainer {
  state: TrainingState = 'starting';
  /** Increases whenever the loss history starts over. */
  run = 0;
  /** Losses of this run; entry i is iteration i + 1. */
  readonly history: LossPoint[] = [];
  samples: number[] = [];
  backup?: FactorBackup;

  private data?: TrainingData;
  private solver?: Solver;
  private loop?: Promise<void>;
  private loopAbort?: AbortController;
  private queue: Promise<unknown> = Promise.resolve();
  private pendingSnapshot?: SnapshotEvent;
  private snapshotSequence = 0;
  private snapshotWanted = true;
  private readonly errors: ErrorEventMessage[] = [];
  private errorsDropped = 0;
  private rateSamples: { time: number; iteration: number }[] = [];
  private iterationsPerSubmit = 1;
  private lossReported = false;
  private lastSnapshotTime = 0;
  /** Tasks that wait for the training loop to finish its current batch. */
  private batchTasks: (() => Promise<void>)[] = [];

  constructor(private readonly host: TrainerHost, public settings: Settings) {}

  get iteration(): number {
    return this.solver?.iteration ?? 0;
  }

  get gpuBytes(): number {
    return this.solver?.gpuBytes ?? 0;
  }

  get matrix(): U8Matrix | undefined {
    return this.data?.matrix;
  }

  get trainingData(): TrainingData | undefined {
    return this.data;
  }

  /**
   * Runs `task` while no iteration runs: at once when paused, else after the
   * batch in progress, so that it delays training by its own duration only.
   * `factors` are W and H of the solver's current iteration. Like the other
   * commands, tasks run one at a time in the order they arrive.
   */
  betweenBatches<T>(task: (solver: Solver, factors: FactorBackup) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const solver = this.requireSolver();
      const run = async () => task(solver, await this.currentFactors(solver));
      if (!this.loop) return run();
      return new Promise<T>((resolve, reject) => {
        this.batchTasks.push(() => run().then(resolve, reject));
      });
    });
  }

  /** Replaces the dataset and starts a new run on it, paused. */
  setData(data: TrainingData): Promise<void> {
    return this.exclusive(async () => {
      await this.stopLoop();
      this.data = data;
      this.samples = spreadSamples(data.matrix.samples, DEFAULT_SAMPLE_COUNT);
      checkSettings(this.settings, data.matrix);
      await this.restart();
    });
  }

  play(): Promise<void> {
    return this.exclusive(async () => this.startLoop());
  }

  pause(): Promise<number> {
    return this.exclusive(async () => {
      await this.stopLoop();
      return this.iteration;
    });
  }

  step(iterations: number): Promise<number> {
    if (!Number.isInteger(iterations) || iterations < 1) {
      return Promise.reject(new RangeError(`step of ${iterations} iterations is invalid; use a positive integer`));
    }
    return this.exclusive(async () => {
      await this.stopLoop();
      const solver = this.requireSolver();
      this.state = 'training';
      try {
        await this.runIterations(solver, iterations);
        await this.takeSnapshot();
        this.state = 'paused';
      } catch (error) {
        await this.handleRunError(error);
      }
      return this.iteration;
    });
  }

  reset(): Promise<void> {
    return this.exclusive(async () => {
      const wasTraining = this.loop !== undefined;
      await this.stopLoop();
      await this.restart();
      if (wasTraining) this.startLoop();
    });
  }

  /** Applies new settings; a new rank or seed starts a new run, which keeps training if the old one was. */
  configure(changes: Partial<Settings>): Promise<void> {
    return this.exclusive(async () => {
      const next = { ...this.settings, ...changes };
      checkSettings(next, this.data?.matrix);
      const restart = next.rank !== this.settings.rank || next.seed !== this.settings.seed;
      this.settings = next;
      if (!restart || !this.data) return;
      const wasTraining = this.loop !== undefined;
      await this.stopLoop();
      await this.restart();
      if (wasTraining) this.startLoop();
    });
  }

  chooseSamples(indices: number[]): Promise<void> {
    return this.exclusive(async () => {
      const samples = this.data?.matrix.samples ?? 0;
      for (const index of indices) {
        if (!Number.isInteger(index) || index < 0 || index >= samples) {
          throw new RangeError(`sample ${index} is out of range; the dataset has samples 0 to ${samples - 1}`);
        }
      }
      this.samples = [...indices];
      if (this.loop === undefined && this.solver) await this.takeSnapshot();
    });
  }

  /**
   * Continues after a device loss on whatever device the host now provides,
   * from the last snapshot of W and H (or from the seed when none was
   * taken), and trains on.
   */
  resume(): Promise<void> {
    return this.exclusive(async () => {
      const data = this.requireData();
      this.solver = undefined;
      const backup = this.backup;
      const start: SolverStart = { rank: this.settings.rank, seed: this.settings.seed, resumeFrom: backup };
      this.solver = await this.host.createSolver(data.matrix, start);
      this.lossReported = false;
      this.history.length = Math.min(this.history.length, backup?.iteration ?? 0);
      this.run++;
      this.state = 'paused';
      await this.takeSnapshot();
      this.startLoop();
    });
  }

  /** Stops training after a device loss that the host saw; `resume()` continues. */
  deviceLost(error: Error): void {
    this.state = 'device-lost';
    if (this.lossReported) return;
    this.lossReported = true;
    this.loopAbort?.abort();
    const kept = this.backup ? `W and H of iteration ${this.backup.iteration} are kept` : 'no snapshot of W and H was taken yet';
    this.report(new Error(`${error.message}. Training stopped; ${kept}. Resume to continue on a new device.`), 'resume');
  }

  /** Adds an error to the events the page shows. */
  report(error: unknown, recovery: Recovery): void {
    this.errors.push({ type: EventType.error, error: toWireError(error), recovery });
    if (this.errors.length > MAX_ERRORS) {
      this.errors.shift();
      this.errorsDropped++;
    }
  }

  /**
   * Returns the losses, snapshot and errors newer than `cursor`; the status
   * event is always first. A snapshot is handed over once, and the next one
   * is taken only after that, which bounds snapshots to the page's frame rate.
   */
  eventsSince(cursor: PollCursor): { events: WorkerEvent[]; transfers: Transferable[] } {
    const events: WorkerEvent[] = [];
    const transfers: Transferable[] = [];

    const from = cursor.run === this.run ? Math.min(cursor.losses, this.history.length) : 0;
    if (from < this.history.length || cursor.run !== this.run) {
      events.push({ type: EventType.losses, run: this.run, from, points: this.history.slice(from) });
    }

    const snapshot = this.pendingSnapshot;
    if (snapshot && snapshot.sequence > cursor.snapshot) {
      events.push(snapshot);
      transfers.push(snapshot.H.buffer, snapshot.originals.buffer, snapshot.sampleWeights.buffer, snapshot.reconstructions.buffer);
      this.pendingSnapshot = undefined;
    }
    if (!this.pendingSnapshot) this.snapshotWanted = true;

    const firstError = Math.max(cursor.errors, this.errorsDropped);
    for (let i = firstError; i < this.errorsDropped + this.errors.length; i++) events.push(this.errors[i - this.errorsDropped]);
    return { events, transfers };
  }

  /** Iterations per second over the last few seconds of training; 0 unless training. */
  iterationsPerSecond(): number {
    if (this.state !== 'training' || this.rateSamples.length < 2) return 0;
    const first = this.rateSamples[0];
    const last = this.rateSamples[this.rateSamples.length - 1];
    const seconds = (last.time - first.time) / 1000;
    return seconds > 0 ? (last.iteration - first.iteration) / seconds : 0;
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private requireData(): TrainingData {
    if (!this.data) throw new Error('no dataset is loaded yet; load one before training');
    return this.data;
  }

  private requireSolver(): Solver {
    if (!this.solver) throw new Error('no solver exists yet; load a dataset first');
    if (this.state === 'device-lost') throw new Error('the GPU device was lost; resume before training again');
    return this.solver;
  }

  /** Creates a fresh solver from the seed and clears the history. */
  private async restart(): Promise<void> {
    const data = this.requireData();
    this.solver?.destroy();
    this.solver = undefined;
    this.backup = undefined;
    this.history.length = 0;
    this.rateSamples = [];
    this.run++;
    this.solver = await this.host.createSolver(data.matrix, { rank: this.settings.rank, seed: this.settings.seed });
    this.state = 'paused';
    await this.takeSnapshot();
  }

  private startLoop(): void {
    if (this.loop || !this.solver || this.state === 'device-lost' || this.state === 'failed') return;
    if (this.solver.iteration >= this.settings.maxIterations) {
      this.state = 'done';
      return;
    }
    const abort = new AbortController();
    this.loopAbort = abort;
    this.state = 'training';
    this.loop = this.trainUntilStopped(this.solver, abort.signal).finally(() => {
      this.loop = undefined;
      this.loopAbort = undefined;
      // A task queued after the loop's last check but before this point would otherwise wait forever.
      void this.runBatchTasks();
    });
  }

  private async stopLoop(): Promise<void> {
    this.loopAbort?.abort();
    await this.loop;
  }

  private async trainUntilStopped(solver: Solver, signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted && solver.iteration < this.settings.maxIterations) {
        const count = Math.min(this.settings.iterationsPerUpdate, this.settings.maxIterations - solver.iteration);
        await this.runIterations(solver, count, signal);
        const backupDue = performance.now() - this.lastSnapshotTime > BACKUP_INTERVAL_MS;
        if ((this.snapshotWanted || backupDue) && !signal.aborted) await this.takeSnapshot();
        await this.runBatchTasks();
      }
      if (this.state !== 'training') return;
      await this.takeSnapshot();
      this.state = solver.iteration >= this.settings.maxIterations ? 'done' : 'paused';
    } catch (error) {
      await this.handleRunError(error);
    } finally {
      // Tasks queued during the last batch still run, and fail on their own if the solver failed.
      await this.runBatchTasks();
    }
  }

  private async runBatchTasks(): Promise<void> {
    while (this.batchTasks.length > 0) await this.batchTasks.shift()!();
  }

  /** W and H of the solver's iteration: the backup when it is that recent, else read now and kept as the backup. */
  private async currentFactors(solver: Solver): Promise<FactorBackup> {
    if (this.backup && this.backup.iteration === solver.iteration) return this.backup;
    const iteration = solver.iteration;
    const factors = await solver.readFactors();
    this.backup = { W: factors.W, H: factors.H, iteration };
    return this.backup;
  }

  private async runIterations(solver: Solver, iterations: number, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    const before = solver.iteration;
    await solver.run(iterations, {
      signal,
      iterationsPerSubmit: this.iterationsPerSubmit,
      onLosses: (points) => {
        this.history.push(...points);
        this.noteRate(solver.iteration);
      },
    });

    // Size the next submits so that each takes about SUBMIT_TARGET_MS.
    const done = solver.iteration - before;
    if (done > 0) {
      const perIteration = (performance.now() - started) / done;
      this.iterationsPerSubmit = Math.max(1, Math.min(64, Math.round(SUBMIT_TARGET_MS / Math.max(perIteration, 0.01))));
    }
  }

  private noteRate(iteration: number): void {
    const now = performance.now();
    this.rateSamples.push({ time: now, iteration });
    while (this.rateSamples.length > 2 && now - this.rateSamples[0].time > RATE_WINDOW_MS) this.rateSamples.shift();
  }

  /** Reads W and H, keeps them as the backup, and prepares the snapshot the next poll sends. */
  private async takeSnapshot(): Promise<void> {
    const solver = this.solver;
    const data = this.data;
    if (!solver || !data) return;
    const iteration = solver.iteration;
    const factors = await solver.readFactors();
    this.backup = { W: factors.W, H: factors.H.slice(), iteration };

    const shown = reconstruct(data.matrix, factors, solver.rank, this.samples);
    this.pendingSnapshot = {
      type: EventType.snapshot,
      sequence: ++this.snapshotSequence,
      run: this.run,
      iteration,
      rank: solver.rank,
      width: data.width,
      height: data.height,
      H: factors.H,
      samples: [...this.samples],
      originals: shown.originals,
      sampleWeights: shown.weights,
      reconstructions: shown.values,
      sampleErrors: shown.errors,
    };
    this.snapshotWanted = false;
    this.lastSnapshotTime = performance.now();
  }

  private async handleRunError(error: unknown): Promise<void> {
    if (this.state === 'device-lost') return;
    if (await this.host.isDeviceLoss(error)) {
      // The host's device watcher reports the loss itself, with the driver's reason.
      this.state = 'device-lost';
      return;
    }
    this.state = 'failed';
    this.report(error, 'reload');
  }
}
