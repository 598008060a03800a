// The test GPU in Node: Dawn through the `webgpu` package.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);

export const environment = 'node';

// Dawn shuts down when the object returned by create() is garbage collected,
// and devices still in use then crash the process, so one instance lives as
// long as the module.
let gpu: GPU | undefined;

export function getGpu(): GPU {
  gpu ??= create([]) as GPU;
  return gpu;
}
