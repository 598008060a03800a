// The test GPU in Chromium: navigator.gpu.
export const environment = 'chromium';

export function getGpu(): GPU {
  if (!navigator.gpu) throw new Error('navigator.gpu is missing: start Chromium with --enable-unsafe-webgpu');
  return navigator.gpu;
}
