/**
 * WebGPU in Node for the benchmarks: the CLI's Dawn instance, exposed as
 * `navigator.gpu` too, because TensorFlow.js's WebGPU backend looks for it
 * there.
 */
export { nodeGpu } from '../src/cli/node-gpu.ts';

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
