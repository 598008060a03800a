/**
 * Adapter and device set-up shared by the browser worker and Node, and the
 * one place that reports device loss and uncaught GPU errors.
 */

/** Limits catlab raises to what the adapter offers, because large V blocks and dispatches need them. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
] as const;

export interface CatlabDevice {
  device: GPUDevice;
  adapterInfo: AdapterSummary;
}

/** Adapter facts that the status line and the benchmark print. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Whether the adapter is a software rasteriser such as SwiftShader. */
  isFallbackAdapter: boolean;
}

export class NoAdapterError extends Error {
  override name = 'NoAdapterError';
}

/** Describes an adapter in one line, e.g. `Google SwiftShader (swiftshader)`. */
export function adapterName(info: AdapterSummary): string {
  const main = [info.vendor, info.description || info.device].filter(Boolean).join(' ');
  const detail = info.architecture ? ` (${info.architecture})` : '';
  return (main || 'unknown adapter') + detail;
}

/**
 * Requests an adapter and a device with the adapter's larger limits.
 *
 * @example
 * const { device } = await requestDevice(navigator.gpu);
 */
export async function requestDevice(gpu: GPU, options: { powerPreference?: GPUPowerPreference } = {}): Promise<CatlabDevice> {
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new NoAdapterError('WebGPU is available but no GPU adapter was found');
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];

  const device = await adapter.requestDevice({ label: 'catlab', requiredLimits, requiredFeatures });
  const info = adapter.info;
  return {
    device,
    adapterInfo: {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
      isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
    },
  };
}

/** A GPU failure: the device was lost, or a command raised an error that no error scope caught. */
export interface GpuFailure {
  kind: 'device-lost' | 'validation' | 'out-of-memory' | 'internal';
  message: string;
  /** For device loss: `destroyed` when the host called `device.destroy()` itself. */
  lostReason?: GPUDeviceLostReason;
}

/**
 * Sends device loss and uncaptured errors to `report`, the one error surface.
 * Loss after `device.destroy()` is reported too, with `lostReason`
 * `destroyed`, so a host can tell it from a lost GPU.
 */
export function watchDevice(device: GPUDevice, report: (failure: GpuFailure) => void): void {
  device.lost.then((info) => {
    report({
      kind: 'device-lost',
      message: `GPU device lost (${info.reason}): ${info.message || 'no message'}`,
      lostReason: info.reason,
    });
  });
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    const kind =
      error instanceof GPUOutOfMemoryError ? 'out-of-memory' : error instanceof GPUValidationError ? 'validation' : 'internal';
    report({ kind, message: error.message });
  });
}
