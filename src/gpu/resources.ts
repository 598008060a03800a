/**
 * Buffer creation with labels, uploads, read-back and ownership: everything a
 * solver creates goes through one `GpuResources`, and `destroy()` frees it all.
 */
export class GpuResources {
  private readonly buffers: GPUBuffer[] = [];
  /** Bytes of every buffer created here and not yet destroyed. */
  allocatedBytes = 0;

  constructor(readonly device: GPUDevice) {}

  /** Creates a buffer of `size` bytes, rounded up to the 4-byte multiple WebGPU requires. */
  buffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const buffer = this.device.createBuffer({ label, size: Math.max(4, Math.ceil(size / 4) * 4), usage });
    this.buffers.push(buffer);
    this.allocatedBytes += buffer.size;
    return buffer;
  }

  /** Creates a storage buffer holding `data`. */
  storage(label: string, data: ArrayBufferView | number, extraUsage: GPUBufferUsageFlags = 0): GPUBuffer {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage;
    if (typeof data === 'number') return this.buffer(label, data, usage);
    const buffer = this.buffer(label, data.byteLength, usage);
    writeBuffer(this.device, buffer, data);
    return buffer;
  }

  /**
   * Creates a uniform buffer of 4-byte fields in order: a number is written
   * as u32, `{ f32: x }` as f32, matching a WGSL struct of u32 and f32 members.
   */
  uniform(label: string, values: readonly (number | { f32: number })[]): GPUBuffer {
    const buffer = this.buffer(label, Math.max(16, values.length * 4), GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const words = new Uint32Array(values.length);
    const floats = new Float32Array(words.buffer);
    values.forEach((value, i) => {
      if (typeof value === 'number') words[i] = value;
      else floats[i] = value.f32;
    });
    this.device.queue.writeBuffer(buffer, 0, words);
    return buffer;
  }

  destroy(): void {
    for (const buffer of this.buffers) buffer.destroy();
    this.buffers.length = 0;
    this.allocatedBytes = 0;
  }
}

/** Writes `data` at byte 0 of `buffer`, padding the tail to the 4-byte multiple `writeBuffer` requires. */
export function writeBuffer(device: GPUDevice, buffer: GPUBuffer, data: ArrayBufferView): void {
  const bytes = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  if (bytes.byteLength % 4 === 0) {
    device.queue.writeBuffer(buffer, 0, bytes);
    return;
  }
  const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  padded.set(bytes);
  device.queue.writeBuffer(buffer, 0, padded);
}

/** Copies `size` bytes from the start of `source` and returns them once the GPU is done. */
export async function readBuffer(device: GPUDevice, source: GPUBuffer, size = source.size): Promise<ArrayBuffer> {
  const staging = device.createBuffer({
    label: `${source.label}/read-back`,
    size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: `${source.label}/read-back` });
    encoder.copyBufferToBuffer(source, 0, staging, 0, size);
    device.queue.submit([encoder.finish()]);

    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange().slice(0);
  } finally {
    staging.destroy();
  }
}

/** Reads `count` f32 values from the start of `source`. */
export async function readFloat32(device: GPUDevice, source: GPUBuffer, count: number): Promise<Float32Array> {
  return new Float32Array(await readBuffer(device, source, count * 4));
}
