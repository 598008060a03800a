// The search panel in the playground: a query by click, by index and by
// photo upload, exact copies, dissimilar results and the bundle export. The
// tests run on a synthetic folder with byte-identical copies (GPU engine),
// and on a subset of the cat faces that contains copies (CPU engine).
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import jpeg from 'jpeg-js';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerText, launchChromium, openPage, PAGE_TIMEOUT_MS, startPlayground, waitForIteration, type Playground } from './harness.ts';
import { CATS_MISSING, findCats } from '../support/cats.ts';

const cats = findCats();

let browser: Browser;
let scratch: string;

beforeAll(async () => {
  browser = await launchChromium();
  scratch = await mkdtemp(join(tmpdir(), 'catlab-search-e2e-'));
});

afterAll(async () => {
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const SIZE = 16;

/** Encodes a 16×16 JPEG: a bright square whose position and size vary with `seed`, on a gradient. */
function syntheticJpeg(seed: number): Buffer {
  const data = Buffer.alloc(SIZE * SIZE * 4);
  const x0 = (seed * 5) % 10;
  const y0 = (seed * 3) % 10;
  const side = 3 + (seed % 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inside = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
      const value = inside ? 240 : 20 + ((x + y + seed) % 8) * 10;
      data.set([value, value, value, 255], (y * SIZE + x) * 4);
    }
  }
  return Buffer.from(jpeg.encode({ data, width: SIZE, height: SIZE }, 90).data);
}

/** Attribute `name` of the search panel's query block, once a result is shown. */
async function queryAttribute(page: Page, name: string): Promise<string | null> {
  return page.locator('search-panel [data-role=query]').getAttribute(name, { timeout: PAGE_TIMEOUT_MS });
}

async function hits(page: Page, list: 'nearest' | 'farthest'): Promise<{ index: number; similarity: number; mark: string }[]> {
  return page.locator(`search-panel [data-list=${list}] figure`).evaluateAll((figures) =>
    figures.map((figure) => ({
      index: Number(figure.getAttribute('data-index')),
      similarity: Number(figure.getAttribute('data-similarity')),
      mark: figure.getAttribute('data-mark') ?? '',
    })),
  );
}

async function searchIndex(page: Page, index: number): Promise<void> {
  await page.locator('search-panel input[data-role=index]').fill(String(index));
  await page.locator('search-panel button[data-role=search]').click();
  await expect.poll(() => queryAttribute(page, 'data-index'), { timeout: PAGE_TIMEOUT_MS }).toBe(String(index));
}

/** Waits until the panel shows results of at least iteration `count`, which the refresh after snapshots brings. */
async function waitForResultIteration(page: Page, count: number): Promise<void> {
  await expect.poll(async () => Number(await queryAttribute(page, 'data-iteration')), { timeout: PAGE_TIMEOUT_MS, interval: 250 }).toBeGreaterThanOrEqual(count);
}

describe('search panel on a synthetic folder', () => {
  // 1.jpg … 20.jpg differ; 21.jpg and 22.jpg are byte copies of 3.jpg, so
  // in natural order sample 2 has the copies 20 and 21.
  let server: Playground;
  let folder: string;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    folder = join(scratch, 'synthetic');
    await mkdir(folder);
    for (let i = 1; i <= 20; i++) await writeFile(join(folder, `${i}.jpg`), syntheticJpeg(i));
    await copyFile(join(folder, '3.jpg'), join(folder, '21.jpg'));
    await copyFile(join(folder, '3.jpg'), join(folder, '22.jpg'));
    server = await startPlayground({ data: folder });
    ({ page, pageErrors } = await openPage(browser, `${server.url}?size=${SIZE}&rank=4&update=5`));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('searches a clicked sample', async () => {
    await waitForIteration(page, 5);
    const first = page.locator('reconstruction-view canvas[data-role=original]').first();
    const title = await first.getAttribute('title');
    await first.click();
    const index = title!.replace(/\D/g, '');
    await expect.poll(() => queryAttribute(page, 'data-index'), { timeout: PAGE_TIMEOUT_MS }).toBe(index);
    expect((await hits(page, 'nearest')).length).toBe(8);
  });

  it('reports exact copies of a typed index', async () => {
    await searchIndex(page, 2);
    expect(await queryAttribute(page, 'data-engine')).toBe('gpu');
    expect(await page.locator('search-panel [data-role=exact-copies]').textContent()).toBe('exact copies: #20, #21');
    const nearest = await hits(page, 'nearest');
    expect(nearest.map((hit) => hit.index)).not.toContain(2);
    const marked = nearest.filter((hit) => hit.mark === 'copy').map((hit) => hit.index);
    expect(marked.sort((a, b) => a - b)).toEqual([20, 21]);
    expect(await page.locator('search-panel [data-role=query-name]').textContent()).toBe('3.jpg');
  });

  it('ranks the copies first after training', async () => {
    await searchIndex(page, 2);
    await waitForIteration(page, 60);
    await waitForResultIteration(page, 60);
    const nearest = await hits(page, 'nearest');
    expect(new Set(nearest.slice(0, 2).map((hit) => hit.index))).toEqual(new Set([20, 21]));
  });

  it('lists dissimilar samples from the other end', async () => {
    await searchIndex(page, 5);
    const nearest = await hits(page, 'nearest');
    const farthest = await hits(page, 'farthest');
    expect(farthest).toHaveLength(8);
    expect(farthest[0].similarity).toBeLessThanOrEqual(nearest[nearest.length - 1].similarity);
    for (let i = 1; i < farthest.length; i++) expect(farthest[i].similarity).toBeGreaterThanOrEqual(farthest[i - 1].similarity);
  });

  it('changes the number of results', async () => {
    await searchIndex(page, 5);
    await page.locator('search-panel select[data-role=count]').selectOption('4');
    await expect.poll(async () => (await hits(page, 'nearest')).length, { timeout: PAGE_TIMEOUT_MS }).toBe(4);
  });

  it('searches an uploaded photo', async () => {
    await page.locator('search-panel input[data-role=photo]').setInputFiles(join(folder, '3.jpg'));
    await expect.poll(() => page.locator('search-panel [data-role=query-name]').textContent(), { timeout: PAGE_TIMEOUT_MS }).toBe('3.jpg');
    expect(await queryAttribute(page, 'data-index')).toBe('');
    expect(await page.locator('search-panel [data-role=exact-copies]').textContent()).toBe('exact copies: #2, #20, #21');
    const nearest = await hits(page, 'nearest');
    expect([2, 20, 21]).toContain(nearest[0].index);
    expect(nearest[0].mark).toBe('copy');
  });

  it('exports a zip whose manifest lists the files', async () => {
    const download = page.waitForEvent('download', { timeout: PAGE_TIMEOUT_MS });
    await page.locator('search-panel button[data-role=export]').click();
    const saved = join(scratch, 'bundle.zip');
    const file = await download;
    expect(file.suggestedFilename()).toBe('bundle.zip');
    await file.saveAs(saved);
    const files = unzipSync(new Uint8Array(await readFile(saved)));
    expect(Object.keys(files).sort()).toEqual(['bundle/H.npy', 'bundle/W.npy', 'bundle/manifest.json', 'bundle/norms.npy', 'bundle/sprite.png']);
    const manifest = JSON.parse(new TextDecoder().decode(files['bundle/manifest.json']));
    expect(manifest.files).toEqual(Array.from({ length: 22 }, (_, i) => `${i + 1}.jpg`));
    expect(manifest.copies).toEqual([[2, 20, 21]]);
    expect(manifest.rank).toBe(4);
    // The sprite was encoded by OffscreenCanvas in the worker: check the PNG signature.
    expect([...files['bundle/sprite.png'].subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('leaves no errors on the page', async () => {
    expect(await bannerText(page)).toBe('');
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(!cats)(cats ? 'search panel on cat faces with copies' : CATS_MISSING, () => {
  // The first 40 cats and 9304.jpg … 9310.jpg, byte copies of 1.jpg … 7.jpg,
  // which natural order puts at samples 40 … 46. Links, so nothing derived
  // from the cats is written.
  let server: Playground;
  let page: Page;

  beforeAll(async () => {
    const folder = join(scratch, 'cats');
    await mkdir(folder);
    const names = (await readdir(cats!)).filter((name) => /^\d+\.jpg$/.test(name));
    names.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
    const chosen = [...names.slice(0, 40), ...['9304', '9305', '9306', '9307', '9308', '9309', '9310'].map((n) => `${n}.jpg`)];
    for (const name of chosen) await symlink(join(cats!, name), join(folder, name));
    server = await startPlayground({ data: folder });
    ({ page } = await openPage(browser, `${server.url}?cpu=1&rank=8&update=5`));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('reports the byte copy and ranks it first', async () => {
    await waitForIteration(page, 5);
    // Sample 0 is 1.jpg, whose copy 9304.jpg is sample 40.
    await searchIndex(page, 0);
    expect(await queryAttribute(page, 'data-engine')).toBe('cpu');
    expect(await page.locator('search-panel [data-role=exact-copies]').textContent()).toBe('exact copies: #40');
    await waitForIteration(page, 100);
    await waitForResultIteration(page, 100);
    const nearest = await hits(page, 'nearest');
    expect(nearest[0].index).toBe(40);
    expect(nearest[0].mark).toBe('copy');
    const farthest = await hits(page, 'farthest');
    expect(farthest[0].similarity).toBeLessThan(nearest[nearest.length - 1].similarity);
    expect(await bannerText(page)).toBe('');
  });
});
