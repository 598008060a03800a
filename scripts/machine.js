// Finds what WebGPU needs on this machine: a Chromium for the browser tests
// and a Vulkan driver for Dawn in Node (the CLI, GPU tests and benchmarks).
import { existsSync, readdirSync } from 'node:fs';

/** Debian's chromium package puts the real binary here; /usr/bin/chromium is a wrapper script. */
const DEBIAN_CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** SwiftShader's Vulkan driver, shipped inside Debian's chromium package. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Flags for headless Chromium with WebGPU on a machine whose network is
 * closed: background services would otherwise retry connections forever.
 */
export const chromiumArgs = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Returns the path of a Chromium binary: $CATLAB_CHROMIUM, then Debian's
 * package, then none (Playwright then looks for its own downloaded browser).
 */
export function findChromium() {
  const fromEnv = process.env.CATLAB_CHROMIUM;
  if (fromEnv) return fromEnv;
  return DEBIAN_CHROMIUM.find((path) => existsSync(path)) ?? null;
}

/** Folders where the Vulkan loader looks for installed drivers on Linux. */
const VULKAN_DRIVER_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/**
 * Returns the environment additions Dawn needs to find a Vulkan driver: none
 * when the user chose one or a driver is installed, else SwiftShader, which
 * runs Vulkan on the CPU, when Debian's chromium package is there.
 */
export function vulkanDriverEnv(env = process.env) {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || process.platform !== 'linux') return {};
  const installed = VULKAN_DRIVER_DIRS.some((dir) => {
    try {
      return readdirSync(dir).some((name) => name.endsWith('.json'));
    } catch {
      return false;
    }
  });
  if (installed || !existsSync(SWIFTSHADER_ICD)) return {};
  return { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
}
