/**
 * `npm run bench`: catlab's NMF kernels next to TensorFlow.js's WebGPU
 * backend, measured in one run on one adapter. See docs/benchmarks.md.
 *
 * A benchmark is a list of sections, so a new one (for example search) is a
 * `Section` added to SECTIONS.
 */
import { requestDevice, watchDevice } from '../src/gpu/device.ts';
import { muSection } from './mu-section.ts';
import { createNmfInputs, type NmfInputs } from './nmf-inputs.ts';
import { nodeGpu } from './node-gpu.ts';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.ts';
import { productsSection } from './products-section.ts';
import { searchSection } from './search-section.ts';
import { describeRun, formatAdapter, formatHeader, formatSection, writeJson } from './report.ts';
import type { BenchContext, Section } from './section.ts';
import { chooseShape } from './shapes.ts';
import { startTfjs, type TfjsRuntime } from './tfjs.ts';

const SECTIONS: Section[] = [productsSection, muSection, searchSection];

async function main(options: BenchOptions): Promise<void> {
  const gpu = nodeGpu();
  const { device, adapterInfo } = await requestDevice(gpu);
  let closing = false;
  watchDevice(device, (failure) => {
    if (!closing) console.error(`GPU ${failure.kind}: ${failure.message}`);
  });
  console.log(formatAdapter(adapterInfo));

  let tfjs: TfjsRuntime | null = null;
  let tfjsError: string | null = null;
  try {
    tfjs = await startTfjs(gpu);
  } catch (error) {
    tfjsError = error instanceof Error ? error.message : String(error);
  }

  const choice = await chooseShape(device, adapterInfo, options);
  const info = describeRun(adapterInfo, tfjs?.adapterName ?? null, tfjsError, choice, options.timing);
  console.log(formatHeader(info));

  let inputs: NmfInputs | undefined;
  const context: BenchContext = {
    device,
    adapter: adapterInfo,
    shape: choice.shape,
    timing: options.timing,
    tfjs,
    nmfInputs: () => (inputs ??= createNmfInputs(choice.shape, options.seed)),
  };

  const results: Record<string, unknown> = {};
  for (const section of SECTIONS) {
    const result = await section.run(context);
    results[section.id] = result.data;
    console.log(`\n${formatSection(result)}`);
  }

  if (options.jsonPath) {
    writeJson(options.jsonPath, info, results);
    console.log(`\nwrote ${options.jsonPath}`);
  }
  closing = true;
  tfjs?.tf.engine().reset();
  device.destroy();
}

let options: BenchOptions | null;
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (options === null) {
  console.log(USAGE);
} else {
  await main(options);
}
