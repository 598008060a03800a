/**
 * V on the GPU: packed 8-bit pixels in row blocks that each fit one storage
 * binding, plus the sums over V that the losses need. Several solvers can
 * reference one `GpuMatrixV` on the same device, so a page comparing solvers
 * uploads V once.
 */
import type { PackedRows } from '../gpu/elementwise.ts';
import { checkBindingSize } from '../gpu/limits.ts';
import { GpuResources } from '../gpu/resources.ts';
import { matrixStats, packRows, wordsPerRow, type MatrixStats, type U8Matrix } from './matrix.ts';

/** Rows start .. start+rows of V in one buffer. */
export interface VBlock {
  start: number;
  rows: number;
  buffer: GPUBuffer;
}

export interface GpuMatrixVOptions {
  /**
   * Largest block in bytes; the device's maxStorageBufferBindingSize when
   * absent. Tests set it small to exercise the row-block split.
   */
  maxBlockBytes?: number;
  /** Label prefix of the buffers. */
  label?: string;
}

export class GpuMatrixV {
  readonly samples: number;
  readonly features: number;
  /** u32 words per packed row. */
  readonly rowWords: number;
  readonly blocks: readonly VBlock[];
  readonly stats: MatrixStats;
  private readonly resources: GpuResources;
  private destroyed = false;

  private constructor(readonly device: GPUDevice, v: U8Matrix, options: GpuMatrixVOptions) {
    this.stats = matrixStats(v);
    this.samples = v.samples;
    this.features = v.features;
    this.rowWords = wordsPerRow(v.features);
    this.resources = new GpuResources(device);
    const label = options.label ?? 'nmf/V';

    const limits = device.limits;
    const rowBytes = this.rowWords * 4;
    const maxBlock = Math.min(options.maxBlockBytes ?? Infinity, limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const rowsPerBlock = Math.floor(maxBlock / rowBytes);
    if (rowsPerBlock < 1) {
      checkBindingSize(limits, `one row of V (${v.features} pixels)`, rowBytes, 'Use smaller images.');
      throw new RangeError(`maxBlockBytes ${options.maxBlockBytes} is smaller than one row of V (${rowBytes} bytes)`);
    }
    const blocks: VBlock[] = [];
    for (let start = 0; start < v.samples; start += rowsPerBlock) {
      const end = Math.min(start + rowsPerBlock, v.samples);
      blocks.push({ start, rows: end - start, buffer: this.resources.storage(`${label}[${start}:${end}]`, packRows(v, start, end)) });
    }
    this.blocks = blocks;
  }

  /**
   * Uploads V, reporting GPU validation and out-of-memory errors as one Error.
   *
   * @example
   * const v = await GpuMatrixV.create(device, matrix);
   * const mu = await GpuNmf.create(device, v, { rank: 16 });
   * const cd = await GpuNmf.create(device, v, { rank: 16, solver: 'cd' });
   */
  static async create(device: GPUDevice, v: U8Matrix, options: GpuMatrixVOptions = {}): Promise<GpuMatrixV> {
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    let matrix: GpuMatrixV | undefined;
    try {
      matrix = new GpuMatrixV(device, v, options);
    } finally {
      const oom = await device.popErrorScope();
      const invalid = await device.popErrorScope();
      const error = oom ?? invalid;
      if (error) {
        matrix?.destroy();
        throw new Error(`uploading V (${v.samples} × ${v.features}) failed on the GPU: ${error.message}`);
      }
    }
    return matrix;
  }

  /** Rows within one block, as an operand for the packed kernels. */
  rowsOf(block: VBlock, firstRow = block.start): PackedRows {
    return { buffer: block.buffer, offset: (firstRow - block.start) * this.rowWords, ld: this.rowWords };
  }

  /**
   * Splits every block into pieces of at most `maxRows` rows, for work that
   * needs scratch memory proportional to the rows it covers.
   */
  pieces(maxRows: number): { block: VBlock; start: number; rows: number }[] {
    const out: { block: VBlock; start: number; rows: number }[] = [];
    for (const block of this.blocks) {
      for (let start = block.start; start < block.start + block.rows; start += maxRows) {
        out.push({ block, start, rows: Math.min(maxRows, block.start + block.rows - start) });
      }
    }
    return out;
  }

  /** Bytes of the packed blocks on the GPU. */
  get allocatedBytes(): number {
    return this.resources.allocatedBytes;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Frees the blocks. Solvers that reference this V must not run afterwards. */
  destroy(): void {
    this.destroyed = true;
    this.resources.destroy();
  }
}
