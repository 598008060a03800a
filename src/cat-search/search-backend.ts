/**
 * Chooses the search engine for the element: WebGPU when the browser gives
 * an adapter, else the CPU engine, with the reason shown to the user.
 */
import { adapterName, requestDevice, watchDevice } from '../gpu/device.ts';
import { CpuSearch } from '../search/cpu-search.ts';
import type { SearchEngine } from '../search/engine.ts';
import { GpuSearch } from '../search/gpu-search.ts';

/** Engine kind, as the `backend` property and the status line report it. */
export type Backend = 'webgpu' | 'cpu';

export interface ChosenEngine {
  engine: SearchEngine;
  backend: Backend;
  /** One line for the status: the adapter, or why the CPU engine runs. */
  description: string;
  /** Frees the engine and the device it created. */
  destroy(): void;
}

/**
 * Creates a search over the unit rows of W (`samples × rank`). `onGpuFailure`
 * receives the message when the WebGPU device is lost or raises an
 * uncaptured error. The caller then switches to {@link cpuEngine}.
 */
export async function chooseEngine(
  W: Float32Array,
  samples: number,
  rank: number,
  onGpuFailure: (message: string) => void,
): Promise<ChosenEngine> {
  const gpu = typeof navigator === 'undefined' ? undefined : navigator.gpu;
  if (!gpu) return cpuEngine(W, samples, rank, 'this browser has no WebGPU');

  let device: GPUDevice | undefined;
  try {
    const created = await requestDevice(gpu);
    device = created.device;
    watchDevice(device, (failure) => {
      if (failure.lostReason !== 'destroyed') onGpuFailure(failure.message);
    });
    const engine = await GpuSearch.create(device, W, samples, rank, { label: 'cat-search' });
    const ownDevice = device;
    return {
      engine,
      backend: 'webgpu',
      description: `WebGPU on ${adapterName(created.adapterInfo)}`,
      destroy: () => {
        engine.destroy();
        ownDevice.destroy();
      },
    };
  } catch (error) {
    device?.destroy();
    return cpuEngine(W, samples, rank, (error as Error).message);
  }
}

/** Creates the CPU search; `reason` is the status text that explains why WebGPU is not used. */
export function cpuEngine(W: Float32Array, samples: number, rank: number, reason: string): ChosenEngine {
  const engine = CpuSearch.create(W, samples, rank);
  return { engine, backend: 'cpu', description: `CPU (${reason})`, destroy: () => engine.destroy() };
}
