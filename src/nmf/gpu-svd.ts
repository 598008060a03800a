/**
 * Products of the packed V with thin f32 matrices on the GPU, for the
 * randomized SVD behind the NNDSVD starts. Each call uploads its operand,
 * runs one product per row block of V and reads the result back. The QR and
 * small SVD steps stay on the CPU in float64 (see randomized-svd.ts).
 */
import { encodeDispatches } from '../gpu/kernel.ts';
import { MatmulKernels } from '../gpu/matmul.ts';
import { GpuResources, readFloat32 } from '../gpu/resources.ts';
import type { GpuMatrixV } from './gpu-matrix-v.ts';
import type { VProducts } from './randomized-svd.ts';

export function gpuProducts(v: GpuMatrixV, label = 'nmf/init/svd'): VProducts {
  const device = v.device;
  const { samples, features } = v;

  /** Runs `record` on fresh resources, submits and returns `count` floats of `out`. */
  async function run(count: number, record: (res: GpuResources, mm: MatmulKernels, out: GPUBuffer) => ReturnType<MatmulKernels['prepare']>[]): Promise<Float64Array> {
    const res = new GpuResources(device);
    try {
      const out = res.storage(`${label}/out`, count * 4);
      const dispatches = record(res, new MatmulKernels(res), out);
      const encoder = device.createCommandEncoder({ label });
      const pass = encoder.beginComputePass({ label });
      encodeDispatches(pass, dispatches);
      pass.end();
      device.queue.submit([encoder.finish()]);
      return Float64Array.from(await readFloat32(device, out, count));
    } finally {
      res.destroy();
    }
  }

  return {
    samples,
    features,
    // V·B: B is features × l; each block of rows writes its rows of the samples × l result.
    times: (b, l) =>
      run(samples * l, (res, mm, out) => {
        const operand = res.storage(`${label}/B`, Float32Array.from(b));
        return v.blocks.map((block) =>
          mm.prepare(
            {
              m: block.rows,
              n: l,
              k: features,
              a: { buffer: block.buffer, layout: 'u8', ld: v.rowWords },
              b: { buffer: operand, layout: 'f32', ld: l },
              c: { buffer: out, ld: l, offset: block.start * l },
            },
            `${label}/V·B[${block.start}]`,
          ),
        );
      }),
    // Bᵀ·V: B is samples × l; the blocks' products add up over the rows of V.
    transposeTimes: (b, l) =>
      run(l * features, (res, mm, out) => {
        const operand = res.storage(`${label}/B`, Float32Array.from(b));
        return v.blocks.map((block, index) =>
          mm.prepare(
            {
              m: l,
              n: features,
              k: block.rows,
              a: { buffer: operand, layout: 'f32-transposed', ld: l, offset: block.start * l },
              b: { buffer: block.buffer, layout: 'u8', ld: v.rowWords },
              c: { buffer: out, ld: features },
              accumulate: index > 0,
            },
            `${label}/Bᵀ·V[${block.start}]`,
          ),
        );
      }),
  };
}
