/**
 * The training worker: owns the GPU device (or the CPU engine), the dataset
 * and the trainer, and serves `PlaygroundApi` to the page through comlink.
 */
import * as Comlink from 'comlink';
import { createBrowserDecoder } from '../data/decode-browser.ts';
import { adapterName, NoAdapterError, requestDevice, watchDevice, type GpuFailure } from '../gpu/device.ts';
import type { U8Matrix } from '../nmf/matrix.ts';
import { loadDataset } from './datasets/load.ts';
import { throwIfAborted } from './datasets/types.ts';
import {
  CPU_SAMPLE_LIMIT,
  DEFAULT_SETTINGS,
  EventType,
  type DatasetInfo,
  type DatasetSource,
  type EngineInfo,
  type LoadProgress,
  type PlaygroundApi,
  type PollCursor,
  type BundleExport,
  type SearchRequest,
  type SearchResponse,
  type Settings,
  type StartOptions,
  type TopSamples,
  type WorkerEvent,
} from './protocol.ts';
import { largestInColumn } from './snapshot.ts';
import { createCpuSolver, createGpuSolver, type Solver, type SolverStart } from './solver.ts';
import { encodePngInWorker, exportBundle } from './bundle-export.ts';
import { describeDataset, SampleSearch } from './search.ts';
import { Trainer } from './trainer.ts';

/** Time to wait for `device.lost` after a run failed, before calling the failure something else (milliseconds). */
const LOSS_GRACE_MS = 1000;

class PlaygroundWorker implements PlaygroundApi {
  private engine?: EngineInfo;
  private device?: GPUDevice;
  private debug = false;
  private loadAbort?: AbortController;
  private loadProgress?: LoadProgress;
  private dataset?: DatasetInfo;
  private names: string[] = [];
  private readonly trainer = new Trainer(
    {
      createSolver: (v, start) => this.createSolver(v, start),
      isDeviceLoss: (error) => this.isDeviceLoss(error),
    },
    { ...DEFAULT_SETTINGS },
  );
  private readonly sampleSearch = new SampleSearch(this.trainer, createBrowserDecoder());

  async start(options: StartOptions): Promise<EngineInfo> {
    this.debug = options.debug;
    if (options.forceCpu) return this.useCpu('CPU mode was requested (cpu=1 in the URL)');
    if (!self.navigator.gpu) return this.useCpu('this browser has no WebGPU (navigator.gpu is missing)');
    try {
      await this.openDevice();
    } catch (error) {
      const reason = error instanceof NoAdapterError ? 'WebGPU found no GPU adapter' : `the GPU device failed to start (${String(error)})`;
      return this.useCpu(reason);
    }
    return this.engine!;
  }

  async load(source: DatasetSource): Promise<DatasetInfo> {
    if (!this.engine) throw new Error('load() was called before start(); start the worker first');
    this.loadAbort?.abort();
    const abort = new AbortController();
    this.loadAbort = abort;
    const limit = this.engine.kind === 'cpu' ? Math.min(source.limit ?? CPU_SAMPLE_LIMIT, CPU_SAMPLE_LIMIT) : source.limit;
    this.loadProgress = { phase: 'reading', done: 0, total: 1 };
    // A load that fails or is cancelled before it replaces the data leaves the previous run as it was:
    // training again if it was training, else paused.
    const wasTraining = this.trainer.state === 'training';
    let replacedData = false;
    try {
      await this.trainer.pause();
      const { dataset, fromCache } = await loadDataset(
        { ...source, limit },
        {
          signal: abort.signal,
          onProgress: (progress) => (this.loadProgress = progress),
          onWarning: (error) => this.trainer.report(error, 'none'),
        },
      );
      throwIfAborted(abort.signal);
      replacedData = true;
      this.names = dataset.names;
      this.dataset = {
        name: dataset.name,
        samples: dataset.matrix.samples,
        availableSamples: dataset.availableSamples,
        features: dataset.matrix.features,
        width: dataset.width,
        height: dataset.height,
        skipped: dataset.skipped,
        fromCache,
      };
      this.sampleSearch.setDataset(describeDataset(dataset.matrix, dataset.names));
      await this.trainer.setData({ matrix: dataset.matrix, width: dataset.width, height: dataset.height });
      return this.dataset;
    } catch (error) {
      // A newer load aborts this one and takes over, so only the latest load resumes the old run.
      if (wasTraining && !replacedData && this.loadAbort === abort) await this.trainer.play();
      throw error;
    } finally {
      if (this.loadAbort === abort) {
        this.loadAbort = undefined;
        this.loadProgress = undefined;
      }
    }
  }

  cancelLoad(): void {
    this.loadAbort?.abort();
  }

  configure(settings: Partial<Settings>): Promise<void> {
    return this.trainer.configure(settings);
  }

  play(): Promise<void> {
    return this.trainer.play();
  }

  pause(): Promise<number> {
    return this.trainer.pause();
  }

  step(iterations: number): Promise<number> {
    return this.trainer.step(iterations);
  }

  reset(): Promise<void> {
    return this.trainer.reset();
  }

  async poll(cursor: PollCursor): Promise<WorkerEvent[]> {
    const { events, transfers } = this.trainer.eventsSince(cursor);
    events.unshift({
      type: EventType.status,
      state: this.loadProgress ? 'loading' : this.trainer.state,
      run: this.trainer.run,
      iteration: this.trainer.iteration,
      iterationsPerSecond: this.trainer.iterationsPerSecond(),
      settings: this.trainer.settings,
      engine: this.engine,
      dataset: this.dataset,
      load: this.loadProgress,
      gpuBytes: this.trainer.gpuBytes,
      canResume: this.trainer.state === 'device-lost',
    });
    return Comlink.transfer(events, transfers);
  }

  async topSamples(component: number, count: number): Promise<TopSamples> {
    const backup = this.trainer.backup;
    const v = this.trainer.matrix;
    if (!backup || !v || !this.dataset) throw new Error('no snapshot of W exists yet; wait for training to start');
    const rank = backup.H.length / v.features;
    const { indices, weights } = largestInColumn(backup.W, rank, component, count);
    const images = new Uint8Array(indices.length * v.features);
    indices.forEach((row, slot) => images.set(v.data.subarray(row * v.features, (row + 1) * v.features), slot * v.features));
    const result: TopSamples = {
      component,
      indices,
      weights,
      names: indices.map((i) => this.names[i] ?? `row ${i}`),
      images,
      width: this.dataset.width,
      height: this.dataset.height,
    };
    return Comlink.transfer(result, [images.buffer]);
  }

  chooseSamples(indices: number[]): Promise<void> {
    return this.trainer.chooseSamples(indices);
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const result = await this.sampleSearch.search(request);
    const arrays = [result.queryPixels, result.queryReconstruction, result.originals, result.reconstructions];
    return Comlink.transfer(result, arrays.map((array) => array.buffer));
  }

  async exportBundle(): Promise<BundleExport> {
    const name = this.dataset?.name ?? 'catlab';
    const dataset = { name, names: this.names, copies: this.sampleSearch.copies };
    const result = await this.trainer.betweenBatches(async (solver, factors) => {
      const data = this.trainer.trainingData;
      if (!data) throw new Error('no dataset is loaded yet; load one before exporting');
      return exportBundle(data, factors, solver.rank, dataset, encodePngInWorker);
    });
    return Comlink.transfer(result, [result.zip.buffer]);
  }

  async resume(): Promise<void> {
    if (this.trainer.state !== 'device-lost') throw new Error(`resume() needs a lost device, but the trainer is ${this.trainer.state}`);
    if (this.engine?.kind === 'gpu') await this.openDevice();
    await this.trainer.resume();
  }

  async debugLoseDevice(): Promise<void> {
    if (!this.debug) throw new Error('debugLoseDevice() works only with debug=1 in the page URL');
    if (!this.device) throw new Error('debugLoseDevice() needs the GPU engine, but the CPU engine runs');
    this.device.destroy();
  }

  async debugRaiseValidationError(): Promise<void> {
    if (!this.debug) throw new Error('debugRaiseValidationError() works only with debug=1 in the page URL');
    if (!this.device) throw new Error('debugRaiseValidationError() needs the GPU engine, but the CPU engine runs');
    // A buffer with no usage flags is invalid, and no error scope is open, so the device reports it as uncaptured.
    this.device.createBuffer({ label: 'playground/debug/invalid-buffer', size: 4, usage: 0 });
  }

  private useCpu(reason: string): EngineInfo {
    this.engine = { kind: 'cpu', adapter: 'CPU', cpuReason: reason, cpuSampleLimit: CPU_SAMPLE_LIMIT };
    return this.engine;
  }

  private async openDevice(): Promise<void> {
    const { device, adapterInfo } = await requestDevice(self.navigator.gpu);
    this.device = device;
    this.engine = { kind: 'gpu', adapter: adapterName(adapterInfo) };
    watchDevice(device, (failure) => this.onGpuFailure(device, failure));
  }

  private onGpuFailure(device: GPUDevice, failure: GpuFailure): void {
    // A device replaced by resume() may still report its own loss later.
    if (device !== this.device) return;
    if (failure.kind === 'device-lost') {
      this.trainer.deviceLost(new Error(failure.message));
      return;
    }
    const error = new Error(`GPU ${failure.kind} error: ${failure.message}`);
    const names = { 'out-of-memory': 'GPUOutOfMemoryError', validation: 'GPUValidationError', internal: 'GPUInternalError' } as const;
    error.name = names[failure.kind];
    this.trainer.report(error, failure.kind === 'out-of-memory' ? 'reload' : 'none');
  }

  private async createSolver(v: U8Matrix, start: SolverStart): Promise<Solver> {
    if (this.engine?.kind !== 'gpu') return createCpuSolver(v, start);
    if (!this.device) throw new Error('the GPU engine has no device; reload the page');
    return createGpuSolver(this.device, v, start);
  }

  private async isDeviceLoss(_error: unknown): Promise<boolean> {
    const device = this.device;
    if (this.engine?.kind !== 'gpu' || !device) return false;
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), LOSS_GRACE_MS));
    return Promise.race([device.lost.then(() => true), timeout]);
  }
}

Comlink.expose(new PlaygroundWorker());
