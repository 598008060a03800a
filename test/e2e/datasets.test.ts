// Datasets other than the default: a folder served with `npm start --
// --data` (the first 64 cat faces, and all of them to cancel decoding), a
// folder opened in the page that contains a corrupt JPEG and a text file
// besides real images, and a zip opened in the page.
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bannerText,
  canvasColourCounts,
  chartLosses,
  launchChromium,
  openPage,
  iteration,
  startPlayground,
  trainingState,
  waitForIteration,
  type Playground,
} from './harness.ts';
import { CATS_MISSING, findCats } from '../support/cats.ts';

const CAT_COUNT = 64;
const cats = findCats();

let browser: Browser;
let scratch: string;

beforeAll(async () => {
  browser = await launchChromium();
  scratch = await mkdtemp(join(tmpdir(), 'catlab-e2e-'));
});

afterAll(async () => {
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.skipIf(!cats)(cats ? `playground on the first ${CAT_COUNT} cat faces` : CATS_MISSING, () => {
  let server: Playground;

  beforeAll(async () => {
    // Links to the first images in natural order, so nothing derived from the cats is written.
    const folder = join(scratch, 'cats');
    await mkdir(folder);
    const names = (await readdir(cats!)).filter((name) => /^\d+\.jpg$/.test(name));
    names.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
    for (const name of names.slice(0, CAT_COUNT)) await symlink(join(cats!, name), join(folder, name));
    server = await startPlayground({ data: folder });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('trains on the served folder and caches the decoded matrix', async () => {
    const { page, pageErrors } = await openPage(browser, `${server.url}?rank=4&update=2&cmap=bone`);
    await waitForIteration(page, 8);
    expect(await page.locator('status-line [data-field=dataset]').textContent()).toMatch(new RegExp(`cats: ${CAT_COUNT} images of 64×64`));
    const losses = await chartLosses(page);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    for (const colours of await canvasColourCounts(page, 'component-tiles canvas.tile')) expect(colours).toBeGreaterThan(8);
    for (const colours of await canvasColourCounts(page, 'reconstruction-view canvas')) expect(colours).toBeGreaterThan(8);

    await page.reload();
    await waitForIteration(page, 1);
    expect(await page.locator('status-line [data-field=dataset]').textContent()).toMatch(/from cache/);
    expect(await bannerText(page)).toBe('');
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!cats)(cats ? 'playground decoding all cat faces' : CATS_MISSING, () => {
  let server: Playground;

  beforeAll(async () => {
    server = await startPlayground({ data: cats! });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('cancels decoding from its progress bar', async () => {
    const { page, pageErrors } = await openPage(browser, `${server.url}?rank=4`);
    const progress = page.locator('dataset-picker [data-testid=load-progress]');
    await progress.waitFor();
    await page.locator('dataset-picker [data-action=cancel-load]').click();
    await progress.waitFor({ state: 'detached' });
    await page.waitForTimeout(500);
    expect(await trainingState(page)).toBe('starting');
    expect(await iteration(page)).toBe(0);
    expect(await bannerText(page)).toBe('');
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

/** Encodes a 16×16 JPEG whose gray level rises from left to right, shifted by `seed`. */
function gradientJpeg(seed: number): Buffer {
  const size = 16;
  const data = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const level = (x * 12 + y * seed * 3 + seed * 20) % 256;
      data.set([level, level, 255 - level, 255], (y * size + x) * 4);
    }
  }
  return Buffer.from(jpeg.encode({ data, width: size, height: size }, 90).data);
}

describe('playground on an opened folder with unreadable files', () => {
  let server: Playground;

  beforeAll(async () => {
    server = await startPlayground();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('loads the images and names the skipped files', async () => {
    const folder = join(scratch, 'mixed');
    await mkdir(folder);
    for (let i = 1; i <= 12; i++) await writeFile(join(folder, `${i}.jpg`), gradientJpeg(i));
    // A JPEG header followed by garbage: the extension promises an image the bytes do not hold.
    await writeFile(join(folder, 'broken.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 0x5a)]));
    await writeFile(join(folder, 'notes.txt'), 'not an image\n');

    const { page, pageErrors } = await openPage(browser, `${server.url}?limit=40&rank=3&size=16`);
    await waitForIteration(page, 1);
    await page.locator('dataset-picker input[data-input=folder]').setInputFiles(folder);

    const dataset = page.locator('status-line [data-field=dataset]');
    await expect.poll(() => dataset.textContent(), { timeout: 60_000 }).toMatch(/mixed: 12 images of 16×16/);
    const skipped = page.locator('dataset-picker [data-testid=skipped-files]');
    await expect.poll(() => skipped.textContent()).toMatch(/2 file\(s\) skipped/);
    const text = await skipped.textContent();
    expect(text).toContain('mixed/broken.jpg');
    expect(text).toContain('mixed/notes.txt');

    await waitForIteration(page, 5);
    expect(await bannerText(page)).toBe('');

    // The same images in a zip, through the other picker input.
    const files = Object.fromEntries(await Promise.all(Array.from({ length: 12 }, async (_, i) => [`zipped/${i + 1}.jpg`, new Uint8Array(gradientJpeg(i + 1))] as const)));
    const zipPath = join(scratch, 'gradients.zip');
    await writeFile(zipPath, zipSync(files));
    await page.locator('dataset-picker input[data-input=zip]').setInputFiles(zipPath);
    await expect.poll(() => dataset.textContent(), { timeout: 60_000 }).toMatch(/gradients\.zip: 12 images of 16×16/);
    await waitForIteration(page, 3);
    expect(await bannerText(page)).toBe('');
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
