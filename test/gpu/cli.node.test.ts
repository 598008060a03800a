/**
 * The `catlab` command end to end: a real process, real JPEG files, the GPU
 * through Dawn, and the .npy files it writes read back (by NumPy too, when
 * it is installed).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/data/npy.ts';
import { CATS_MISSING, findCats } from '../support/cats.ts';

const run = promisify(execFile);
const CATLAB = join(import.meta.dirname, '..', '..', 'bin', 'catlab.js');
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
const cats = findCats();

let folder: string;

/** Encodes a 16 × 16 JPEG whose brightness ramps with `seed`. */
function jpegFile(seed: number): Buffer {
  const data = Buffer.alloc(16 * 16 * 4);
  for (let i = 0; i < 16 * 16; i++) {
    const value = (i * 7 + seed * 31) % 256;
    data.set([value, (value + seed) % 256, 255 - value, 255], i * 4);
  }
  return jpeg.encode({ data, width: 16, height: 16 }, 90).data;
}

async function catlab(args: string[]) {
  return run(process.execPath, [CATLAB, ...args], { maxBuffer: 16 * 1024 * 1024 });
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'catlab-cli-'));
  await mkdir(join(folder, 'images'));
  for (let i = 1; i <= 12; i++) await writeFile(join(folder, 'images', `${i}.jpg`), jpegFile(i));
  await writeFile(join(folder, 'images', 'notes.txt'), 'not an image');
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('catlab CLI', () => {
  it('pack writes a uint8 V.npy and a manifest in natural order', async () => {
    const out = join(folder, 'packed', 'V.npy');
    const { stderr } = await catlab(['pack', join(folder, 'images'), '--out', out, '--size', '8']);
    expect(stderr).toMatch(/notes\.txt/);
    const v = decodeNpy(new Uint8Array(await readFile(out)));
    expect(v.dtype).toBe('uint8');
    expect(v.shape).toEqual([12, 64]);
    const manifest = JSON.parse(await readFile(join(folder, 'packed', 'manifest.json'), 'utf8'));
    expect(manifest.files.slice(0, 3)).toEqual(['1.jpg', '2.jpg', '3.jpg']);
    expect(manifest.files[11]).toBe('12.jpg');
    expect(manifest.skipped.map((s: { name: string }) => s.name)).toEqual(['notes.txt']);
  });

  it('train on V.npy writes factors, history and manifest', async () => {
    const out = join(folder, 'model');
    await catlab(['train', join(folder, 'packed', 'V.npy'), '--rank', '3', '--iters', '25', '--seed', '4', '--loss-every', '5', '--out', out]);
    const W = decodeNpy(new Uint8Array(await readFile(join(out, 'W.npy'))));
    const H = decodeNpy(new Uint8Array(await readFile(join(out, 'H.npy'))));
    expect([W.dtype, W.shape]).toEqual(['float32', [12, 3]]);
    expect([H.dtype, H.shape]).toEqual(['float32', [3, 64]]);
    const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
    expect(history.map((r: { iteration: number }) => r.iteration)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(history[5].loss).toBeLessThan(history[0].loss);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ rank: 3, iterations: 25, seed: 4, samples: 12, features: 64 });
  });

  it('train with a custom init starts from the given factors', async () => {
    const out = join(folder, 'model');
    const again = join(folder, 'again');
    await catlab(['train', join(folder, 'packed', 'V.npy'), '--rank', '3', '--iters', '0', '--out', again, '--init', 'custom', '--init-w', join(out, 'W.npy'), '--init-h', join(out, 'H.npy')]);
    const before = await readFile(join(out, 'W.npy'));
    expect(await readFile(join(again, 'W.npy'))).toEqual(before);
  });

  it('export turns a trained model into a bundle', async () => {
    const bundle = join(folder, 'bundle');
    const { stderr } = await catlab(['export', '--model', join(folder, 'model'), '--data', join(folder, 'packed', 'V.npy'), '--out', bundle]);
    expect(stderr).toMatch(/wrote .*bundle: 12 samples, rank 3/);
    const manifest = JSON.parse(await readFile(join(bundle, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'catlab-search-bundle', samples: 12, rank: 3, imageWidth: 8, imageHeight: 8 });
    expect(manifest.files[11]).toBe('12.jpg');
    const W = decodeNpy(new Uint8Array(await readFile(join(bundle, 'W.npy'))));
    expect([W.dtype, W.shape]).toEqual(['float32', [12, 3]]);
    const png = await readFile(join(bundle, 'sprite.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('export rejects a zero thumbnail size', async () => {
    const args = ['export', '--model', join(folder, 'model'), '--data', join(folder, 'images'), '--out', join(folder, 'other'), '--max-thumbnail', '0'];
    const failure = (await catlab(args).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    )) as { code: number; stderr: string };
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/--max-thumbnail 0 is invalid/);
  });

  it('train rejects a rank above min(samples, features) with the fix', async () => {
    await expect(catlab(['train', join(folder, 'packed', 'V.npy'), '--rank', '13', '--iters', '1', '--out', join(folder, 'bad')])).rejects.toMatchObject({
      stderr: expect.stringMatching(/rank 13 is invalid for 12 samples × 64 features; choose an integer from 1 to 12/),
    });
  });

  it('train runs coordinate descent from NNDSVDa and records the settings', async () => {
    const out = join(folder, 'cd');
    const args = ['train', join(folder, 'packed', 'V.npy'), '--rank', '3', '--max-iter', '40', '--solver', 'cd', '--init', 'nndsvda'];
    await catlab([...args, '--alpha-w', '0.01', '--l1-ratio', '0.5', '--shuffle', '--tol', '1e-3', '--loss-every', '0', '--out', out]);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ solver: 'cd', beta: 2, betaLoss: 'frobenius', init: 'nndsvda', alphaW: 0.01, alphaH: 0.01, l1Ratio: 0.5 });
    expect(manifest).toMatchObject({ shuffle: true, tol: 1e-3, maxIter: 40, requestedIterations: 40 });
    expect(typeof manifest.converged).toBe('boolean');
    expect(manifest.converged).toBe(manifest.warning === null);
    const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
    expect(history[0].iteration).toBe(0);
    expect(history.at(-1).iteration).toBe(manifest.iterations);
    for (const key of ['loss', 'divergence', 'relativeError', 'explainedVariance', 'sparsenessW', 'sparsenessH', 'zerosW', 'zerosH', 'violation', 'secondsPerIteration']) {
      expect(typeof history.at(-1)[key], key).toBe('number');
    }
  });

  it('train minimises the KL divergence and says when maxIter runs out', async () => {
    const out = join(folder, 'kl');
    const { stderr } = await catlab(['train', join(folder, 'packed', 'V.npy'), '--rank', '3', '--max-iter', '12', '--beta', 'kullback-leibler', '--tol', '1e-9', '--out', out]);
    expect(stderr).toMatch(/warning: the fit reached maxIter = 12 iterations/);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ beta: 1, betaLoss: 'kullback-leibler', converged: false, iterations: 12 });
    const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
    expect(history.map((r: { iteration: number }) => r.iteration)).toEqual([0, 10, 12]);
  });

  it('train rejects an invalid beta and a shuffle without cd', async () => {
    const base = ['train', join(folder, 'packed', 'V.npy'), '--rank', '2', '--iters', '1', '--out', join(folder, 'bad')];
    await expect(catlab([...base, '--beta', 'euclid'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--beta 'euclid' is invalid/) });
    await expect(catlab([...base, '--shuffle'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--shuffle applies to --solver cd only/) });
    await expect(catlab([...base, '--solver', 'als'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--solver als is invalid; use mu, cd/) });
  });

  it('train rejects a missing option by name', async () => {
    await expect(catlab(['train', join(folder, 'images'), '--iters', '1', '--out', join(folder, 'bad')])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--rank is required/),
    });
  });

  it('train rejects bad options before decoding', async () => {
    const images = join(folder, 'images');
    const v = join(folder, 'packed', 'V.npy');
    const cases: [string[], RegExp][] = [
      [[images, '--rank', '5', '--limit', '3'], /--rank 5 is invalid with --limit 3/],
      [[images, '--rank', '65', '--size', '8'], /--rank 65 is invalid with --size 8; the rank can be at most the 64 features/],
      [[v, '--rank', '2', '--size', '8'], /--size applies to folders and zips of images/],
      [[v, '--rank', '2', '--init', 'random', '--init-w', v], /--init-w and --init-h are read only with --init custom/],
      [[v, '--rank', '2', '--out', join(images, '1.jpg')], /--out .*1\.jpg cannot be created as a folder \(EEXIST\)/],
    ];
    for (const [args, message] of cases) {
      const outArgs = args.includes('--out') ? [] : ['--out', join(folder, 'unused')];
      await expect(catlab(['train', ...args, '--iters', '1', ...outArgs])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    }
  });

  it('train names a missing init file by its option', async () => {
    const v = join(folder, 'packed', 'V.npy');
    await expect(
      catlab(['train', v, '--rank', '2', '--iters', '1', '--out', join(folder, 'unused'), '--init', 'custom', '--init-w', join(folder, 'nope.npy'), '--init-h', join(folder, 'nope.npy')]),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/initial W \(--init-w\) not found: .*nope\.npy/) });
  });

  it('train reads a packed matrix by content, whatever its name', async () => {
    const renamed = join(folder, 'V.dat');
    await writeFile(renamed, await readFile(join(folder, 'packed', 'V.npy')));
    const out = join(folder, 'renamed');
    await catlab(['train', renamed, '--rank', '2', '--iters', '2', '--out', out]);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ samples: 12, features: 64, width: 8, height: 8 });
  });

  it.skipIf(!hasNumpy)('W.npy and H.npy load in NumPy', async () => {
    const script = `import numpy as n, sys; w = n.load(sys.argv[1]); h = n.load(sys.argv[2]); print(w.dtype, w.shape, h.dtype, h.shape, bool((w >= 0).all()))`;
    const { stdout } = await run('python3', ['-c', script, join(folder, 'model', 'W.npy'), join(folder, 'model', 'H.npy')]);
    expect(stdout.trim()).toBe('float32 (12, 3) float32 (3, 64) True');
  });

  it.skipIf(!cats)(`trains on 200 real cat faces ${cats ? '' : CATS_MISSING}`, async () => {
    const out = join(folder, 'cats');
    await catlab(['train', cats!, '--limit', '200', '--rank', '8', '--iters', '30', '--seed', '1', '--loss-every', '1', '--out', out]);
    const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8')) as { loss: number }[];
    expect(history).toHaveLength(31);
    for (let i = 1; i < history.length; i++) expect(history[i].loss).toBeLessThanOrEqual(history[i - 1].loss * (1 + 2e-6));
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files.slice(0, 3)).toEqual(['1.jpg', '2.jpg', '3.jpg']);
    expect(manifest.samples).toBe(200);
  });
});
