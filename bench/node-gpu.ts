/**
 * WebGPU in Node for the benchmarks: Dawn through the `webgpu` package,
 * exposed as `navigator.gpu` too, because TensorFlow.js's WebGPU backend
 * looks for it there.
 */
import { create, globals } from 'webgpu';
import { vulkanDriverEnv } from '../scripts/machine.js';

// Dawn shuts down when the object create() returns is garbage collected, and
// the process then crashes on the next GPU call, so it lives in the module.
let gpu: GPU | undefined;

/**
 * Returns the process's one Dawn instance, created on first call.
 *
 * Points the Vulkan loader at SwiftShader first when no driver is installed.
 * Dawn reads the variable when create() runs, so setting it here in-process
 * is enough.
 */
export function nodeGpu(): GPU {
  if (!gpu) {
    Object.assign(process.env, vulkanDriverEnv());
    Object.assign(globalThis, globals);
    gpu = create([]) as GPU;
  }
  return gpu;
}

/**
 * Makes `gpu` reachable as `navigator.gpu`. Node 20 has no `navigator`, and
 * Node 21 and later have one without `gpu`.
 */
export function exposeAsNavigatorGpu(gpu: GPU): void {
  const scope = globalThis as { navigator?: object };
  if (scope.navigator) {
    // NOTE: only the Node 20 branch below has been run; this one is untested.
    Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
}
