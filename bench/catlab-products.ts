/**
 * catlab's side of the product benchmark: the products GpuNmf runs, through
 * MatmulKernels, with V packed as 8-bit pixels and split into row blocks the
 * way the solver splits it.
 */
import { encodeDispatches, type Dispatch } from '../src/gpu/kernel.ts';
import { MatmulKernels, type MatmulSpec } from '../src/gpu/matmul.ts';
import { GpuResources, readFloat32 } from '../src/gpu/resources.ts';
import { packRows, wordsPerRow } from '../src/nmf/matrix.ts';
import type { NmfInputs } from './nmf-inputs.ts';
import type { NmfShape } from './options.ts';
import { nmfProducts, type ProductName, type ProductRunner } from './products.ts';

interface VBlock {
  start: number;
  rows: number;
  buffer: GPUBuffer;
}

interface Operands {
  W: GPUBuffer;
  H: GPUBuffer;
  WtW: GPUBuffer;
  HHt: GPUBuffer;
  blocks: VBlock[];
  outputs: Record<ProductName, GPUBuffer>;
}

export class CatlabProducts {
  /** Bytes of GPU memory V takes, packed four pixels per u32. */
  readonly vBytes: number;
  private readonly runners = new Map<ProductName, ProductRunner>();

  private constructor(
    private readonly device: GPUDevice,
    private readonly resources: GpuResources,
    inputs: NmfInputs,
    maxBlockBytes: number,
  ) {
    const res = resources;
    const blocks = this.uploadV(inputs, maxBlockBytes);
    this.vBytes = blocks.reduce((sum, block) => sum + block.buffer.size, 0);
    const outputs = {} as Record<ProductName, GPUBuffer>;
    for (const { name, m, n } of nmfProducts(inputs.shape)) outputs[name] = res.storage(`bench/${name}`, m * n * 4);
    const operands: Operands = {
      W: res.storage('bench/W', inputs.W),
      H: res.storage('bench/H', inputs.H),
      WtW: res.storage('bench/WᵀW', inputs.WtW),
      HHt: res.storage('bench/HHᵀ', inputs.HHt),
      blocks,
      outputs,
    };

    const mm = new MatmulKernels(res);
    const specs = productSpecs(inputs.shape, operands);
    for (const name of Object.keys(specs) as ProductName[]) {
      const dispatches = specs[name].map((spec, index) => mm.prepare(spec, `bench/${name}[${index}]`));
      this.runners.set(name, {
        run: (repetitions) => this.encodeAndWait(name, dispatches, repetitions),
        read: async () => {
          await this.encodeAndWait(name, dispatches, 1);
          return readFloat32(this.device, outputs[name], outputs[name].size / 4);
        },
      });
    }
  }

  /**
   * Uploads the operands and prepares every product. `maxBlockBytes` caps a
   * V block below the device's binding limit, as GpuNmfOptions.maxBlockBytes
   * does, so the split can be checked on small inputs.
   */
  static create(device: GPUDevice, inputs: NmfInputs, maxBlockBytes = Infinity): CatlabProducts {
    return new CatlabProducts(device, new GpuResources(device), inputs, maxBlockBytes);
  }

  runner(name: ProductName): ProductRunner {
    const runner = this.runners.get(name);
    if (!runner) throw new Error(`no catlab runner for product ${name}`);
    return runner;
  }

  destroy(): void {
    this.resources.destroy();
  }

  /** Uploads V in row blocks that each fit one storage binding, as GpuNmf does. */
  private uploadV({ v }: NmfInputs, maxBlockBytes: number): VBlock[] {
    const limits = this.device.limits;
    const rowBytes = wordsPerRow(v.features) * 4;
    const maxBytes = Math.min(maxBlockBytes, limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const rowsPerBlock = Math.floor(maxBytes / rowBytes);
    if (rowsPerBlock < 1) {
      throw new RangeError(`one row of V takes ${rowBytes} bytes, more than the ${maxBytes}-byte block limit; use fewer features`);
    }
    const blocks: VBlock[] = [];
    for (let start = 0; start < v.samples; start += rowsPerBlock) {
      const end = Math.min(start + rowsPerBlock, v.samples);
      const buffer = this.resources.storage(`bench/V[${start}:${end}]`, packRows(v, start, end));
      blocks.push({ start, rows: end - start, buffer });
    }
    return blocks;
  }

  /** Encodes `repetitions` copies of the product into one compute pass and one submit. */
  private async encodeAndWait(name: ProductName, dispatches: Dispatch[], repetitions: number): Promise<void> {
    const encoder = this.device.createCommandEncoder({ label: `bench/${name} ×${repetitions}` });
    const pass = encoder.beginComputePass({ label: `bench/${name} ×${repetitions}` });
    for (let i = 0; i < repetitions; i++) encodeDispatches(pass, dispatches);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    await this.device.queue.onSubmittedWorkDone();
  }
}

/**
 * Describes each product with the operand layouts GpuNmf uses: W and H stay
 * row-major and are read transposed where the product needs it, and the two
 * products with V take one dispatch per row block of V.
 */
function productSpecs({ samples, features, rank }: NmfShape, operands: Operands): Record<ProductName, MatmulSpec[]> {
  const { W, H, WtW, HHt, blocks, outputs } = operands;
  const rowWords = wordsPerRow(features);
  return {
    'Wᵀ·V': blocks.map((block, index) => ({
      m: rank, n: features, k: block.rows,
      a: { buffer: W, layout: 'f32-transposed', ld: rank, offset: block.start * rank },
      b: { buffer: block.buffer, layout: 'u8', ld: rowWords },
      c: { buffer: outputs['Wᵀ·V'], ld: features },
      accumulate: index > 0,
    })),
    'V·Hᵀ': blocks.map((block) => ({
      m: block.rows, n: rank, k: features,
      a: { buffer: block.buffer, layout: 'u8', ld: rowWords },
      b: { buffer: H, layout: 'f32-transposed', ld: features },
      c: { buffer: outputs['V·Hᵀ'], ld: rank, offset: block.start * rank },
    })),
    'Wᵀ·W': [{
      m: rank, n: rank, k: samples,
      a: { buffer: W, layout: 'f32-transposed', ld: rank },
      b: { buffer: W, layout: 'f32', ld: rank },
      c: { buffer: outputs['Wᵀ·W'], ld: rank },
    }],
    'H·Hᵀ': [{
      m: rank, n: rank, k: features,
      a: { buffer: H, layout: 'f32', ld: features },
      b: { buffer: H, layout: 'f32-transposed', ld: features },
      c: { buffer: outputs['H·Hᵀ'], ld: rank },
    }],
    '(WᵀW)·H': [{
      m: rank, n: features, k: rank,
      a: { buffer: WtW, layout: 'f32', ld: rank },
      b: { buffer: H, layout: 'f32', ld: features },
      c: { buffer: outputs['(WᵀW)·H'], ld: features },
    }],
    'W·(HHᵀ)': [{
      m: samples, n: rank, k: rank,
      a: { buffer: W, layout: 'f32', ld: rank },
      b: { buffer: HHt, layout: 'f32', ld: rank },
      c: { buffer: outputs['W·(HHᵀ)'], ld: rank },
    }],
  };
}
