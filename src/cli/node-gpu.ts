/**
 * WebGPU in Node for the CLI: Dawn through the `webgpu` package, with
 * SwiftShader picked up by itself on CPU-only Debian machines.
 */
import { create, globals } from 'webgpu';
import { vulkanDriverEnv } from '../../scripts/machine.js';
import { NoAdapterError, requestDevice, type CatlabDevice } from '../gpu/device.ts';

// Dawn shuts down when the object create() returns is garbage collected, and
// a device still in use then crashes the process, so it lives in the module.
let gpu: GPU | undefined;

export const NO_ADAPTER_HELP =
  'No WebGPU adapter was found. catlab needs a Vulkan driver (Metal on macOS, D3D12 on Windows).\n' +
  '  With a GPU: install its Vulkan driver (on Debian: mesa-vulkan-drivers, or the vendor driver).\n' +
  '  On a CPU-only Linux machine: apt-get install chromium libvulkan1; catlab then finds the\n' +
  '  SwiftShader driver at /usr/lib/chromium/vk_swiftshader_icd.json by itself (slow but complete).\n' +
  '  Or point VK_ICD_FILENAMES at a driver\'s ICD JSON file.';

/**
 * Returns the process's one Dawn instance, created on first call. Points the
 * Vulkan loader at SwiftShader first when no driver is installed: the loader
 * reads the variable when create() runs, so setting it in-process is enough.
 */
export function nodeGpu(): GPU {
  if (!gpu) {
    Object.assign(process.env, vulkanDriverEnv(process.env));
    Object.assign(globalThis, globals);
    gpu = create([]) as GPU;
  }
  return gpu;
}

/** Creates a device on the best adapter Dawn finds, or throws with what to install. */
export async function createNodeDevice(): Promise<CatlabDevice> {
  try {
    return await requestDevice(nodeGpu());
  } catch (error) {
    if (error instanceof NoAdapterError) throw new NoAdapterError(NO_ADAPTER_HELP);
    throw error;
  }
}
