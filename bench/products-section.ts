/**
 * Section `products`: each NMF product in catlab and in TF.js, timed one
 * after the other on the same adapter, with their outputs compared.
 */
import { formatBytes } from '../src/gpu/limits.ts';
import { CatlabProducts } from './catlab-products.ts';
import type { NmfShape } from './options.ts';
import { maxRelativeDifference, nmfProducts, type ProductName } from './products.ts';
import type { BenchContext, Section, SectionResult } from './section.ts';
import { formatNumber } from './table.ts';
import { gflops, matmulFlops, measure, type Measurement } from './timing.ts';
import { tfjsProducts, tfjsRunner, uploadOperands } from './tfjs.ts';

export interface ProductRecord {
  product: ProductName;
  m: number;
  n: number;
  k: number;
  flops: number;
  catlab: Measurement & { gflops: number };
  tfjs: (Measurement & { gflops: number }) | null;
  /** catlab's GFLOP/s divided by TF.js's, so above 1 means catlab is faster. */
  speedRatio: number | null;
  /** Largest entry-wise difference of the two outputs over the largest entry of TF.js's. */
  maxRelativeDifference: number | null;
}

/** Bytes V takes on the GPU in each implementation. */
export interface VMemory {
  catlabVBytes: number;
  tfjsVBytes: number | null;
  /** TF.js's bytes over catlab's. */
  ratio: number | null;
}

export const productsSection: Section = {
  id: 'products',
  async run(context: BenchContext): Promise<SectionResult> {
    const { records, memory } = await measureProducts(context);
    return productsResult(records, memory, context.shape);
  },
};

async function measureProducts(context: BenchContext): Promise<{ records: ProductRecord[]; memory: VMemory }> {
  const inputs = context.nmfInputs();
  const catlab = CatlabProducts.create(context.device, inputs);
  const tfjs = context.tfjs;
  const uploaded = tfjs ? uploadOperands(tfjs, inputs) : null;
  const tfjsOps = tfjs && uploaded ? tfjsProducts(tfjs.tf, uploaded.operands) : null;

  const records: ProductRecord[] = [];
  try {
    for (const { name, m, n, k } of nmfProducts(context.shape)) {
      const flops = matmulFlops(m, n, k);
      const ours = catlab.runner(name);
      const theirs = tfjs && tfjsOps ? tfjsRunner(tfjs, tfjsOps[name]) : null;
      const [catlabTime, tfjsTime = null] = await measure(theirs ? [ours.run, theirs.run] : [ours.run], context.timing);
      const difference = theirs ? maxRelativeDifference(await ours.read(), await theirs.read()) : null;
      records.push({
        product: name, m, n, k, flops,
        catlab: { ...catlabTime, gflops: gflops(flops, catlabTime.seconds) },
        tfjs: tfjsTime && { ...tfjsTime, gflops: gflops(flops, tfjsTime.seconds) },
        speedRatio: tfjsTime && tfjsTime.seconds / catlabTime.seconds,
        maxRelativeDifference: difference,
      });
    }
  } finally {
    catlab.destroy();
    if (tfjs && uploaded) tfjs.tf.dispose(Object.values(uploaded.operands));
  }

  const memory: VMemory = {
    catlabVBytes: catlab.vBytes,
    tfjsVBytes: uploaded?.vBytes ?? null,
    ratio: uploaded ? uploaded.vBytes / catlab.vBytes : null,
  };
  return { records, memory };
}

function productsResult(records: ProductRecord[], memory: VMemory, shape: NmfShape): SectionResult {
  return {
    title: 'Matrix products (median time of one product)',
    tables: [
      {
        columns: ['product', 'M × N × K', 'catlab ms', 'catlab GFLOP/s', 'TF.js ms', 'TF.js GFLOP/s', 'catlab/TF.js', 'max rel. diff'],
        leftAligned: [0, 1],
        rows: records.map((r) => [
          r.product,
          `${r.m} × ${r.n} × ${r.k}`,
          formatNumber(r.catlab.seconds * 1000),
          formatNumber(r.catlab.gflops),
          formatNumber(r.tfjs && r.tfjs.seconds * 1000),
          formatNumber(r.tfjs && r.tfjs.gflops),
          formatNumber(r.speedRatio),
          formatNumber(r.maxRelativeDifference, 2),
        ]),
      },
      {
        columns: ['V on the GPU', 'catlab (u8, 4 per u32)', 'TF.js (f32)', 'TF.js/catlab'],
        rows: [[
          `${shape.samples} × ${shape.features}`,
          formatBytes(memory.catlabVBytes),
          memory.tfjsVBytes === null ? '—' : formatBytes(memory.tfjsVBytes),
          formatNumber(memory.ratio),
        ]],
      },
    ],
    notes: [
      'catlab/TF.js is catlab GFLOP/s over TF.js GFLOP/s: above 1, catlab is faster.',
      'max rel. diff: largest |catlab − TF.js| over the largest |TF.js| entry of the output.',
    ],
    data: { products: records, memory },
  };
}
