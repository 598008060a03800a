/**
 * `catlab train`: factor V ≈ W·H on the GPU and write W.npy, H.npy,
 * history.json and manifest.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeNpyFile } from '../data/node.ts';
import { adapterName, watchDevice } from '../gpu/device.ts';
import { GpuNmf, type LossRecord } from '../nmf/gpu-solver.ts';
import { checkRank, type Factors } from '../nmf/init.ts';
import { integerOption, requiredOption, UsageError } from './args.ts';
import { createOutputFolder, readUserNpy } from './files.ts';
import { loadInput } from './input.ts';
import { createNodeDevice } from './node-gpu.ts';
import { ProgressBar } from './progress.ts';

const HELP = `usage: catlab train <folder|zip|V.npy> --rank R --iters N --out DIR [options]

  --rank R          number of components (rows of H)
  --iters N         multiplicative-update iterations to run
  --out DIR         folder for W.npy, H.npy (float32), history.json, manifest.json
  --seed S          seed of the random initialisation (default 0)
  --limit N         use only the first N images (rows of V)
  --size PX         side of the square images, in pixels (default 64)
  --loss-every K    record the loss every K iterations (default 10; the last is always recorded)
  --init random|custom
                    random: |N(0,1)|·sqrt(mean(V)/rank), as scikit-learn scales it (default)
                    custom: start from --init-w W0.npy (samples × rank) and --init-h H0.npy (rank × features)

Ctrl-C stops after the current batch of iterations and still writes the results.`;

export async function trainCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rank: { type: 'string' },
      iters: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      limit: { type: 'string' },
      size: { type: 'string' },
      'loss-every': { type: 'string' },
      init: { type: 'string' },
      'init-w': { type: 'string' },
      'init-h': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one folder, .zip or V.npy to train on');
  const rank = integerOption('rank', requiredOption('rank', values.rank), 0, 1);
  const iterations = integerOption('iters', requiredOption('iters', values.iters), 0, 0);
  const out = requiredOption('out', values.out);
  const seed = integerOption('seed', values.seed, 0, 0, 0xffffffff);
  const limit = integerOption('limit', values.limit, 0, 1) || undefined;
  const size = values.size === undefined ? undefined : integerOption('size', values.size, 64, 1, 4096);
  const lossEvery = integerOption('loss-every', values['loss-every'], 10, 0);
  const initKind = values.init ?? (values['init-w'] || values['init-h'] ? 'custom' : 'random');
  if (initKind !== 'random' && initKind !== 'custom') throw new UsageError(`--init ${initKind} is invalid; use random or custom`);
  if (initKind === 'random' && (values['init-w'] || values['init-h'])) {
    throw new UsageError('--init-w and --init-h are read only with --init custom');
  }
  // Checks that need no decoding come first, so a bad rank fails in a second, not after a long decode.
  if (limit !== undefined && rank > limit) throw new UsageError(`--rank ${rank} is invalid with --limit ${limit}; the rank can be at most the number of samples`);
  if (size !== undefined && rank > size * size) throw new UsageError(`--rank ${rank} is invalid with --size ${size}; the rank can be at most the ${size * size} features`);

  await createOutputFolder(out, '--out');
  const { matrix, manifest } = await loadInput(positionals[0], { size, limit });
  try {
    checkRank(rank, matrix.samples, matrix.features);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const init = initKind === 'custom' ? await readCustomInit(values['init-w'], values['init-h'], [matrix.samples, rank, matrix.features]) : undefined;

  const { device, adapterInfo } = await createNodeDevice();
  watchDevice(device, (failure) => {
    if (failure.lostReason !== 'destroyed') process.stderr.write(`GPU error (${failure.kind}): ${failure.message}\n`);
  });
  process.stderr.write(
    `training ${matrix.samples} × ${matrix.features}, rank ${rank}, ${iterations} iterations on ${adapterName(adapterInfo)}\n`,
  );

  const nmf = await GpuNmf.create(device, matrix, { rank, seed, init });
  const abort = new AbortController();
  const onInterrupt = () => {
    process.stderr.write('\ninterrupted: stopping after the current batch and writing what was computed\n');
    abort.abort();
  };
  process.once('SIGINT', onInterrupt);

  const history: LossRecord[] = [await nmf.loss()];
  const bar = new ProgressBar('train', iterations);
  try {
    await nmf.run(iterations, {
      lossEvery,
      signal: abort.signal,
      onProgress: (iteration, records) => {
        history.push(...records);
        const last = history[history.length - 1];
        bar.update(iteration, `loss ${last.loss.toPrecision(6)}`);
      },
    });
  } catch (error) {
    // W and H are lost with the device, but the loss curve so far is kept.
    await writeFile(join(out, 'history.json'), `${JSON.stringify(history, null, 2)}\n`);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`training failed at iteration ${nmf.iteration}: ${reason}\nThe loss history so far is in ${join(out, 'history.json')}.`);
  } finally {
    bar.finish();
    process.off('SIGINT', onInterrupt);
  }
  if (history[history.length - 1].iteration !== nmf.iteration) history.push({ ...(await nmf.loss()), seconds: history[history.length - 1].seconds });

  await writeNpyFile(join(out, 'W.npy'), await nmf.readW(), [matrix.samples, rank]);
  await writeNpyFile(join(out, 'H.npy'), await nmf.readH(), [rank, matrix.features]);
  await writeFile(join(out, 'history.json'), `${JSON.stringify(history, null, 2)}\n`);
  const model = {
    ...manifest,
    rank,
    iterations: nmf.iteration,
    requestedIterations: iterations,
    seed: init ? null : seed,
    init: initKind,
    solver: 'mu',
    betaLoss: 'frobenius',
    adapter: adapterName(adapterInfo),
  };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(model, null, 2)}\n`);
  nmf.destroy();
  device.destroy();

  const last = history[history.length - 1];
  process.stderr.write(
    `wrote ${out}: ${nmf.iteration} iterations, loss ${last.loss.toPrecision(6)}, relative error ${last.relativeError.toFixed(4)}\n`,
  );
}

/** Reads W0 (samples × rank) and H0 (rank × features) for `--init custom`. */
async function readCustomInit(
  wPath: string | undefined,
  hPath: string | undefined,
  [samples, rank, features]: [number, number, number],
): Promise<Factors> {
  if (!wPath || !hPath) throw new UsageError('--init custom needs both --init-w W0.npy and --init-h H0.npy');
  const read = async (path: string, name: string, rows: number, cols: number) => {
    const array = await readUserNpy(path, `initial ${name} (--init-${name.toLowerCase()})`);
    if (array.dtype === 'uint8') throw new Error(`${path} is uint8; initial ${name} must be float32 or float64`);
    if (array.shape[0] !== rows || array.shape[1] !== cols) {
      throw new Error(`${path} is ${array.shape.join(' × ')}, but initial ${name} must be ${rows} × ${cols} for this V and --rank ${rank}`);
    }
    return Float32Array.from(array.data);
  };
  return { W: await read(wPath, 'W', samples, rank), H: await read(hPath, 'H', rank, features) };
}
