/**
 * The compare page's worker: owns the GPU device (or the CPU engine), uploads
 * V once as a `GpuMatrixV` and trains one solver per run on it. It serves
 * `CompareApi` through comlink.
 */
import * as Comlink from 'comlink';
import { adapterName, NoAdapterError, requestDevice, watchDevice } from '../gpu/device.ts';
import { GpuMatrixV } from '../nmf/gpu-matrix-v.ts';
import type { U8Matrix } from '../nmf/matrix.ts';
import { CompareRun, createCpuRunEngine, createGpuRunEngine } from './compare-run.ts';
import { loadDataset } from './datasets/load.ts';
import {
  CPU_SAMPLE_LIMIT,
  MAX_RUNS,
  MIN_RUNS,
  toWireError,
  type CompareApi,
  type CompareCursor,
  type ComparePoll,
  type DatasetInfo,
  type DatasetSource,
  type EngineInfo,
  type RunSettings,
  type StartOptions,
  type WireError,
} from './protocol.ts';

class CompareWorker implements CompareApi {
  private engine?: EngineInfo;
  private device?: GPUDevice;
  private matrix?: U8Matrix;
  private sharedV?: GpuMatrixV;
  private image = { width: 0, height: 0 };
  private runs: CompareRun[] = [];
  private generation = 0;
  private deviceError?: WireError;

  async start(options: StartOptions): Promise<EngineInfo> {
    if (this.engine) return this.engine;
    if (options.forceCpu) return this.useCpu('the page asked for the CPU engine (cpu=1 in the URL)');
    if (!self.navigator.gpu) return this.useCpu('this browser has no WebGPU');
    try {
      const { device, adapterInfo } = await requestDevice(self.navigator.gpu);
      this.device = device;
      this.engine = { kind: 'gpu', adapter: adapterName(adapterInfo) };
      watchDevice(device, (failure) => {
        this.deviceError = toWireError(new Error(`GPU ${failure.kind} error: ${failure.message}; reload the page`));
      });
    } catch (error) {
      const reason = error instanceof NoAdapterError ? 'WebGPU found no GPU adapter' : `the GPU device failed to start (${String(error)})`;
      return this.useCpu(reason);
    }
    return this.engine;
  }

  async load(source: DatasetSource): Promise<DatasetInfo> {
    if (!this.engine) throw new Error('load() was called before start(); start the worker first');
    await this.clearRuns();
    const limit = this.engine.kind === 'cpu' ? Math.min(source.limit ?? CPU_SAMPLE_LIMIT, CPU_SAMPLE_LIMIT) : source.limit;
    // NOTE: load progress and warnings (such as a failed cache write) are dropped here, where the playground shows them.
    const { dataset, fromCache } = await loadDataset({ ...source, limit }, { onProgress: () => undefined, onWarning: () => undefined });
    this.sharedV?.destroy();
    this.sharedV = undefined;
    this.matrix = dataset.matrix;
    this.image = { width: dataset.width, height: dataset.height };
    if (this.device) this.sharedV = await GpuMatrixV.create(this.device, dataset.matrix, { label: 'compare/V' });
    return {
      name: dataset.name,
      samples: dataset.matrix.samples,
      availableSamples: dataset.availableSamples,
      features: dataset.matrix.features,
      width: dataset.width,
      height: dataset.height,
      skipped: dataset.skipped,
      fromCache,
    };
  }

  async setRuns(settings: RunSettings[]): Promise<void> {
    if (settings.length < MIN_RUNS || settings.length > MAX_RUNS) {
      throw new RangeError(`${settings.length} runs is invalid; compare ${MIN_RUNS} to ${MAX_RUNS} runs`);
    }
    const matrix = this.matrix;
    if (!matrix) throw new Error('no dataset is loaded yet; call load() first');
    await this.clearRuns();
    this.generation++;
    this.runs = settings.map(() => new CompareRun(this.image));
    await Promise.all(
      this.runs.map((run, index) => {
        const device = this.device;
        const sharedV = this.sharedV;
        const label = `compare/run-${index}`;
        return run.start(() => (device && sharedV ? createGpuRunEngine(device, sharedV, settings[index], label) : createCpuRunEngine(matrix, settings[index])));
      }),
    );
  }

  play(index: number): Promise<void> {
    return this.run(index).play();
  }

  pause(index: number): Promise<number> {
    return this.run(index).pause();
  }

  step(index: number, iterations: number): Promise<number> {
    return this.run(index).step(iterations);
  }

  async poll(cursor: CompareCursor): Promise<ComparePoll> {
    const current = cursor.generation === this.generation;
    const runs = this.runs.map((run) => {
      const status = run.status;
      return this.deviceError && status.state !== 'failed' ? { ...status, error: this.deviceError } : status;
    });
    const points = this.runs.map((run, i) => run.pointsSince(current ? (cursor.points[i] ?? 0) : 0));
    const components = this.runs.map((run, i) => run.takePendingComponents(current ? (cursor.snapshots[i] ?? 0) : 0));
    const transfers = components.flatMap((snapshot) => (snapshot ? [snapshot.H.buffer] : []));
    return Comlink.transfer({ generation: this.generation, runs, points, components }, transfers);
  }

  private run(index: number): CompareRun {
    const run = this.runs[index];
    if (!run) throw new RangeError(`run ${index} does not exist; the page has runs 0 to ${this.runs.length - 1}`);
    return run;
  }

  private async clearRuns(): Promise<void> {
    const old = this.runs;
    this.runs = [];
    await Promise.all(old.map((run) => run.destroy()));
  }

  private useCpu(reason: string): EngineInfo {
    this.engine = { kind: 'cpu', adapter: 'CPU', cpuReason: reason, cpuSampleLimit: CPU_SAMPLE_LIMIT };
    return this.engine;
  }
}

Comlink.expose(new CompareWorker());
