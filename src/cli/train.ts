/**
 * `catlab train`: factor V ≈ W·H on the GPU and write W.npy, H.npy,
 * history.json and manifest.json.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeNpyFile } from '../data/node.ts';
import { adapterName, watchDevice } from '../gpu/device.ts';
import { GpuNmf, type IterationRecord } from '../nmf/gpu-solver.ts';
import { checkRank, type Factors } from '../nmf/init.ts';
import { describeSettings, parseBeta, type InitMethod, type NmfOptions } from '../nmf/options.ts';
import { choiceOption, integerOption, numberOption, requiredOption, UsageError } from './args.ts';
import { createOutputFolder, readUserNpy } from './files.ts';
import { loadInput } from './input.ts';
import { createNodeDevice } from './node-gpu.ts';
import { ProgressBar } from './progress.ts';

const HELP = `usage: catlab train <folder|zip|V.npy> --rank R --max-iter N --out DIR [options]

  --rank R          number of components (rows of H)
  --max-iter N      most iterations to run (alias --iters); 0 writes the starting factors
  --tol T           stop once scikit-learn's criterion falls below T (default 1e-4);
                    0 runs all N iterations
  --out DIR         folder for W.npy, H.npy (float32), history.json, manifest.json
  --solver mu|cd    mu: multiplicative updates (default); cd: HALS coordinate descent
                    (Frobenius loss only), scikit-learn's default
  --beta B          loss: 2 or frobenius (default), 1 or kullback-leibler,
                    0 or itakura-saito, or any number (solver mu only);
                    β ≤ 0 needs V without zeros
  --init random|nndsvd|nndsvda|nndsvdar|custom
                    random: |N(0,1)|·sqrt(mean(V)/rank), as scikit-learn scales it (default)
                    nndsvd: NNDSVD from a randomized SVD of V (zeros stay zero under mu)
                    nndsvda: NNDSVD with its zeros set to mean(V)
                    nndsvdar: NNDSVD with its zeros set to |mean(V)·N(0,1)/100|
                    custom: start from --init-w W0.npy (samples × rank) and --init-h H0.npy (rank × features)
  --alpha-w A       regularisation of W, scaled by the number of features (default 0)
  --alpha-h A|same  regularisation of H, scaled by the number of samples (default same as --alpha-w)
  --l1-ratio R      share of the regularisation that is L1, from 0 to 1 (default 0: all L2)
  --shuffle         cd only: visit the components in a new random order every sweep
  --seed S          seed of the random initialisation, NNDSVDar and --shuffle (default 0)
  --limit N         use only the first N images (rows of V)
  --size PX         side of the square images, in pixels (default 64)
  --loss-every K    record the measures every K iterations (default 10; the start and the end are always recorded)

Ctrl-C stops after the current batch of iterations and still writes the results.`;

const INITS = ['random', 'nndsvd', 'nndsvda', 'nndsvdar', 'custom'] as const;

export async function trainCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rank: { type: 'string' },
      iters: { type: 'string' },
      'max-iter': { type: 'string' },
      tol: { type: 'string' },
      out: { type: 'string' },
      solver: { type: 'string' },
      beta: { type: 'string' },
      'alpha-w': { type: 'string' },
      'alpha-h': { type: 'string' },
      'l1-ratio': { type: 'string' },
      shuffle: { type: 'boolean' },
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
  if (values.iters !== undefined && values['max-iter'] !== undefined && values.iters !== values['max-iter']) {
    throw new UsageError(`--iters ${values.iters} and --max-iter ${values['max-iter']} disagree; give one of them`);
  }
  const rank = integerOption('rank', requiredOption('rank', values.rank), 0, 1);
  const iterationsName = values['max-iter'] !== undefined ? 'max-iter' : 'iters';
  const iterations = integerOption(iterationsName, requiredOption('max-iter', values['max-iter'] ?? values.iters), 0, 0);
  const out = requiredOption('out', values.out);
  const seed = integerOption('seed', values.seed, 0, 0, 0xffffffff);
  const limit = integerOption('limit', values.limit, 0, 1) || undefined;
  const size = values.size === undefined ? undefined : integerOption('size', values.size, 64, 1, 4096);
  const lossEvery = integerOption('loss-every', values['loss-every'], 10, 0);
  const initKind = choiceOption('init', values.init, values['init-w'] || values['init-h'] ? 'custom' : 'random', INITS);
  const options: Omit<NmfOptions, 'init'> = {
    rank,
    seed,
    solver: choiceOption('solver', values.solver, 'mu', ['mu', 'cd'] as const),
    beta: parseBetaOption(values.beta),
    tol: numberOption('tol', values.tol, 1e-4, 0),
    // 0 iterations only writes the start; the solver itself needs maxIter ≥ 1.
    maxIter: Math.max(iterations, 1),
    alphaW: numberOption('alpha-w', values['alpha-w'], 0, 0),
    alphaH: values['alpha-h'] === undefined || values['alpha-h'] === 'same' ? 'same' : numberOption('alpha-h', values['alpha-h'], 0, 0),
    l1Ratio: numberOption('l1-ratio', values['l1-ratio'], 0, 0, 1),
    shuffle: values.shuffle ?? false,
  };
  if (options.shuffle && options.solver !== 'cd') throw new UsageError('--shuffle applies to --solver cd only');
  if (initKind !== 'custom' && (values['init-w'] || values['init-h'])) {
    throw new UsageError('--init-w and --init-h are read only with --init custom');
  }
  // Checks that need no decoding come first, so a bad rank fails in a second, not after a long decode.
  if (limit !== undefined && rank > limit) throw new UsageError(`--rank ${rank} is invalid with --limit ${limit}; the rank can be at most the number of samples`);
  if (size !== undefined && rank > size * size) throw new UsageError(`--rank ${rank} is invalid with --size ${size}; the rank can be at most the ${size * size} features`);

  await createOutputFolder(out, '--out');
  const { matrix, manifest } = await loadInput(positionals[0], { size, limit });
  try {
    // The engine, like scikit-learn, accepts a larger rank for random starts; the command keeps every init to min(samples, features).
    checkRank(rank, matrix.samples, matrix.features);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const init: InitMethod | Factors =
    initKind === 'custom' ? await readCustomInit(values['init-w'], values['init-h'], [matrix.samples, rank, matrix.features]) : initKind;

  const { device, adapterInfo } = await createNodeDevice();
  watchDevice(device, (failure) => {
    if (failure.lostReason !== 'destroyed') process.stderr.write(`GPU error (${failure.kind}): ${failure.message}\n`);
  });
  const nmf = await GpuNmf.create(device, matrix, { ...options, init });
  const settings = nmf.settings;
  process.stderr.write(
    `training ${matrix.samples} × ${matrix.features}, rank ${rank}, solver ${settings.solver}, beta ${settings.beta}, ` +
      `at most ${iterations} iterations on ${adapterName(adapterInfo)}\n`,
  );

  const abort = new AbortController();
  const onInterrupt = () => {
    process.stderr.write('\ninterrupted: stopping after the current batch and writing what was computed\n');
    abort.abort();
  };
  process.once('SIGINT', onInterrupt);

  const history: IterationRecord[] = [];
  let converged = false;
  let warning: string | null = null;
  const bar = new ProgressBar('train', iterations);
  try {
    if (iterations === 0) {
      history.push(await nmf.measure());
    } else {
      const result = await nmf.fit({
        recordEvery: lossEvery,
        signal: abort.signal,
        onProgress: (iteration, records) => {
          history.push(...records);
          const last = history[history.length - 1];
          bar.update(iteration, `loss ${last.loss.toPrecision(6)}`);
        },
      });
      converged = result.converged;
      warning = result.warning;
    }
  } catch (error) {
    // W and H are lost with the device, but the loss curve so far is kept.
    await writeFile(join(out, 'history.json'), `${JSON.stringify(history, null, 2)}\n`);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`training failed at iteration ${nmf.iteration}: ${reason}\nThe loss history so far is in ${join(out, 'history.json')}.`);
  } finally {
    bar.finish();
    process.off('SIGINT', onInterrupt);
  }

  await writeNpyFile(join(out, 'W.npy'), await nmf.readW(), [matrix.samples, rank]);
  await writeNpyFile(join(out, 'H.npy'), await nmf.readH(), [rank, matrix.features]);
  await writeFile(join(out, 'history.json'), `${JSON.stringify(history, null, 2)}\n`);
  const model = {
    ...manifest,
    rank,
    iterations: nmf.iteration,
    requestedIterations: iterations,
    converged,
    warning,
    ...describeSettings(settings),
    maxIter: iterations,
    seed: initKind === 'custom' && !settings.shuffle ? null : seed,
    init: initKind,
    betaLoss: betaName(settings.beta),
    adapter: adapterName(adapterInfo),
  };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(model, null, 2)}\n`);
  nmf.destroy();
  device.destroy();

  const last = history[history.length - 1];
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  process.stderr.write(
    `wrote ${out}: ${nmf.iteration} iterations${converged ? ' (converged)' : ''}, loss ${last.loss.toPrecision(6)}, ` +
      `relative error ${last.relativeError.toFixed(4)}\n`,
  );
}

function parseBetaOption(value: string | undefined): number {
  if (value === undefined) return 2;
  try {
    return parseBeta(value);
  } catch (error) {
    throw new UsageError(`--${error instanceof Error ? error.message : String(error)}`);
  }
}

/** scikit-learn's name of β where it has one, else the number. */
function betaName(beta: number): string | number {
  return ({ 2: 'frobenius', 1: 'kullback-leibler', 0: 'itakura-saito' } as Record<number, string>)[beta] ?? beta;
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
