/**
 * `<cat-search>` as a page embeds it: examples/embed.html with the standalone
 * module built into a temporary folder, a bundle exported from synthetic
 * images, a strict Content-Security-Policy header, and Chromium with and
 * without WebGPU.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportCommand } from '../../src/cli/export.ts';
import { loadImages, readNpyFile, writeNpyFile } from '../../src/data/node.ts';
import { CpuSearch } from '../../src/search/cpu-search.ts';
import { CATS_MISSING, findCats } from '../support/cats.ts';
import { serveStatic, type StaticServer } from '../support/static-server.ts';
import { HOSTILE_FILE_NAME, writeSyntheticModel, type SyntheticModel } from '../support/synthetic-model.ts';
import { launchChromium, PAGE_TIMEOUT_MS } from './harness.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'";

let folder: string;
let synthetic: SyntheticModel;
let server: StaticServer;
let gpuBrowser: Browser;
let cpuBrowser: Browser;
/** Nearest 8 of sample 3 by the CPU engine in Node, which both engines in the page must reproduce. */
let expectedNearestOf3: number[];

/** Page problems a test asserts to be empty: CSP violations, console errors and uncaught exceptions. */
interface Watched {
  page: Page;
  problems: string[];
}

async function openEmbed(browser: Browser): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // Init scripts run through the DevTools protocol, which the page's CSP does not govern.
  await page.addInitScript(() => {
    const record = window as unknown as { __violations: string[]; __events: { type: string; detail: unknown }[] };
    record.__violations = [];
    record.__events = [];
    document.addEventListener('securitypolicyviolation', (event) => record.__violations.push(`${event.violatedDirective} ${event.blockedURI}`));
    for (const type of ['cat-select', 'results-change']) {
      document.addEventListener(type, (event) => record.__events.push({ type, detail: (event as CustomEvent).detail }));
    }
  });
  await page.goto(`${server.url}examples/embed.html`);
  await expect.poll(() => status(page).getAttribute('data-state'), { timeout: PAGE_TIMEOUT_MS }).toBe('ready');
  return { page, problems };
}

/** Text of the first element a locator matches, trimmed. */
const text = async (locator: Locator) => (await locator.first().textContent())?.trim();
const status = (page: Page) => page.locator('cat-search [part="status"]');
const queryIndex = (page: Page) => page.locator('cat-search [part="query"]').getAttribute('data-index');
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
const events = (page: Page) => page.evaluate(() => (window as unknown as { __events: { type: string; detail: never }[] }).__events);
const resultIndices = (page: Page, list: string) =>
  page.locator(`cat-search [data-list="${list}"] [part="result"]`).evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.index)));

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'catlab-cat-search-'));
  await build({ configFile: join(repoRoot, 'vite.cat-search.config.ts'), logLevel: 'warn', build: { outDir: join(folder, 'module'), sourcemap: false } });

  synthetic = await writeSyntheticModel(folder);
  const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await exportCommand(['--model', synthetic.model, '--data', synthetic.images, '--out', join(folder, 'bundle'), '--max-thumbnail', '8']);
  } finally {
    quiet.mockRestore();
  }

  const W = await readNpyFile(join(folder, 'bundle', 'W.npy'));
  const [reference] = await CpuSearch.create(W.data, W.shape[0], W.shape[1]).search([3], { k: 8 });
  expectedNearestOf3 = reference.nearest.map((match) => match.index);

  server = await serveStatic(
    {
      '/examples/': join(repoRoot, 'examples'),
      '/examples/bundle/': join(folder, 'bundle'),
      '/dist/cat-search/': join(folder, 'module'),
      '/examples/cats-bundle/': join(folder, 'cats-bundle'),
    },
    { 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' },
  );
  [gpuBrowser, cpuBrowser] = await Promise.all([launchChromium(), launchChromium({ webgpu: false })]);
});

afterAll(async () => {
  await gpuBrowser?.close();
  await cpuBrowser?.close();
  await server?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('cat-search element', () => {
  it('loads on WebGPU under a strict CSP', async () => {
    const { page, problems } = await openEmbed(gpuBrowser);
    await expect.poll(() => status(page).getAttribute('data-backend')).toBe('webgpu');
    await expect.poll(() => text(status(page))).toContain('12 cats, rank 3');
    await expect.poll(() => page.locator('cat-search [part="tile"]').count()).toBe(12);
    expect(await violations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders a hostile file name as text', async () => {
    const { page, problems } = await openEmbed(gpuBrowser);
    const row = synthetic.files.indexOf(HOSTILE_FILE_NAME);
    await page.locator(`cat-search [part="tile"][data-index="${row}"]`).click();
    await expect.poll(() => queryIndex(page)).toBe(String(row));

    await expect.poll(() => text(page.locator('cat-search [part="query"] .file'))).toBe(HOSTILE_FILE_NAME);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const images = await page.locator('cat-search').evaluate((element) => element.shadowRoot!.querySelectorAll('img').length + document.querySelectorAll('img').length);
    expect(images).toBe(0);
    expect(await violations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('clicking a cat fires both events', async () => {
    const { page, problems } = await openEmbed(gpuBrowser);
    await page.locator('cat-search [part="tile"][data-index="3"]').click();
    await expect.poll(() => queryIndex(page)).toBe('3');
    await expect.poll(() => page.locator('cat-search [data-list="nearest"] [part="result"]').count()).toBe(8);
    await expect.poll(() => page.locator('cat-search [data-list="farthest"] [part="result"]').count()).toBe(8);

    await expect.poll(async () => (await events(page)).map((event) => event.type)).toEqual(['cat-select', 'results-change']);
    const [select, results] = await events(page);
    expect(select.detail).toEqual({ index: 3, file: synthetic.files[3] });
    const detail = results.detail as { query: number; nearest: { index: number; similarity: number }[]; farthest: unknown[] };
    expect(detail.query).toBe(3);
    expect(detail.nearest.map((match) => match.index)).toEqual(await resultIndices(page, 'nearest'));
    expect(detail.nearest.map((match) => match.index)).not.toContain(3);
    expect(detail.farthest).toHaveLength(8);
    expect(detail.nearest.map((match) => match.index)).toEqual(expectedNearestOf3);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('typed index, count and query', async () => {
    const { page, problems } = await openEmbed(gpuBrowser);
    const input = page.locator('cat-search [part="query"] input');
    await input.fill('5');
    await input.press('Enter');
    await expect.poll(() => queryIndex(page)).toBe('5');
    await expect.poll(() => page.locator('cat-search [part="tile"][data-index="5"]').getAttribute('aria-pressed')).toBe('true');

    await page.locator('cat-search').evaluate((element) => element.setAttribute('count', '3'));
    await expect.poll(() => page.locator('cat-search [data-list="nearest"] [part="result"]').count()).toBe(3);
    await expect.poll(() => page.locator('cat-search [data-list="farthest"] [part="result"]').count()).toBe(3);

    await page.locator('cat-search').evaluate((element) => element.setAttribute('query', '12'));
    await expect.poll(() => text(page.locator('cat-search [part="query"] [role="alert"]'))).toContain('query 12 is not a cat of this bundle');
    expect(await queryIndex(page)).toBeNull();

    await input.fill('99');
    await input.press('Enter');
    await expect.poll(() => text(page.locator('cat-search [part="query"] [role="alert"]'))).toContain('index 99 is not a cat of this bundle');
    expect(await queryIndex(page)).toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('quotes non-numeric query and count', async () => {
    const { page, problems } = await openEmbed(gpuBrowser);
    const alert = page.locator('cat-search [part="query"] [role="alert"]');
    await expect.poll(() => page.locator('cat-search [part="tile"]').count()).toBe(12);

    await page.locator('cat-search').evaluate((element) => element.setAttribute('query', 'abc'));
    await expect.poll(() => text(alert)).toBe('query "abc" is invalid; give a sample index from 0 to 11');
    expect(await queryIndex(page)).toBeNull();

    await page.locator('cat-search').evaluate((element) => {
      element.setAttribute('count', 'abc');
      element.setAttribute('query', '4');
    });
    await expect.poll(() => text(alert)).toContain('count "abc" is invalid');
    expect(await text(alert)).not.toContain('NaN');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('marks exact copies', async () => {
    const { page } = await openEmbed(gpuBrowser);
    const [first, second] = synthetic.copyRows;
    await page.locator(`cat-search [part="tile"][data-index="${first}"]`).click();
    const copy = page.locator(`cat-search [data-list="nearest"] [part="result"][data-index="${second}"]`);
    await expect.poll(() => copy.getAttribute('data-mark')).toBe('exact-copy');
    await expect.poll(() => text(copy.locator('.badge'))).toBe('exact copy');
    await expect.poll(() => text(copy.locator('[part="similarity"]'))).toBe('1.0000');
    await expect.poll(() => text(page.locator('cat-search [part="query"]'))).toContain(`exact copies: #${second}`);
    await page.close();
  });

  it('marks near-duplicates', async () => {
    const { page } = await openEmbed(gpuBrowser);
    const [first, second] = synthetic.nearRows;
    await page.locator(`cat-search [part="tile"][data-index="${first}"]`).click();
    const near = page.locator(`cat-search [data-list="nearest"] [part="result"][data-index="${second}"]`);
    await expect.poll(() => near.getAttribute('data-mark')).toBe('near-duplicate');
    await expect.poll(() => text(near.locator('.badge'))).toBe('near-duplicate');
    await page.close();
  });

  it('applies parts and custom properties', async () => {
    const { page } = await openEmbed(gpuBrowser);
    await page.locator('cat-search [part="tile"][data-index="0"]').click();
    const similarity = page.locator('cat-search [data-list="nearest"] [part="similarity"]').first();
    await similarity.waitFor();
    const style = await similarity.evaluate((element) => {
      const computed = getComputedStyle(element);
      return { color: computed.color, fontWeight: computed.fontWeight };
    });
    expect(style).toEqual({ color: 'rgb(37, 99, 235)', fontWeight: '700' });
    const thumbnailWidth = await page.locator('cat-search [part="thumbnail"]').first().evaluate((element) => getComputedStyle(element).width);
    expect(thumbnailWidth).toBe('48px');
    const font = await page.locator('cat-search').evaluate((element) => getComputedStyle(element).fontFamily);
    expect(font).toBe('Georgia, serif');
    const tile = page.locator('cat-search [part="tile"][data-index="0"]');
    expect(await tile.evaluate((element) => getComputedStyle(element).borderTopColor)).toBe('rgb(37, 99, 235)');
    await page.close();
  });

  it('falls back to the CPU without WebGPU', async () => {
    const { page, problems } = await openEmbed(cpuBrowser);
    await expect.poll(() => status(page).getAttribute('data-backend')).toBe('cpu');
    await expect.poll(() => text(status(page))).toContain('CPU');
    await page.locator('cat-search [part="tile"][data-index="3"]').click();
    await expect.poll(() => page.locator('cat-search [data-list="nearest"] [part="result"]').count()).toBe(8);
    const cpuNearest = await resultIndices(page, 'nearest');
    expect(cpuNearest).not.toContain(3);
    expect(cpuNearest).toEqual(expectedNearestOf3);
    expect(await violations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('switches to the CPU after a GPU error', async () => {
    const { page } = await openEmbed(gpuBrowser);
    await page.locator('cat-search [part="tile"][data-index="3"]').click();
    await expect.poll(() => page.locator('cat-search [data-list="nearest"] [part="result"]').count()).toBe(8);

    // A synthetic event replaces a real failure. In this Chromium on SwiftShader, an invalid
    // createBuffer call raised no uncapturederror event within 5 s, so the browser path is unverified.
    await page.locator('cat-search').evaluate((element) => {
      const engine = (element as unknown as { loaded: { chosen: { engine: { device: GPUDevice } } } }).loaded.chosen.engine;
      const error = new GPUValidationError('synthetic failure from the test');
      engine.device.dispatchEvent(new GPUUncapturedErrorEvent('uncapturederror', { error }));
    });
    await expect.poll(() => text(status(page)), { timeout: 10_000 }).toContain('the WebGPU device failed');
    expect(await status(page).getAttribute('data-backend')).toBe('cpu');
    await expect.poll(() => resultIndices(page, 'nearest')).toEqual(expectedNearestOf3);
    await page.close();
  });

  it('reports a bundle that is not found', async () => {
    const { page } = await openEmbed(gpuBrowser);
    await page.locator('cat-search').evaluate((element) => element.setAttribute('src', './missing/'));
    await expect.poll(() => status(page).getAttribute('data-state')).toBe('error');
    const message = await text(status(page));
    expect(message).toContain('bundle file manifest.json failed to load');
    expect(message).toContain('HTTP 404');
    expect(await page.locator('cat-search [part="grid"]').count()).toBe(0);
    await page.close();
  });
});

const cats = findCats();

describe.skipIf(!cats)(cats ? 'cat-search on the cats' : `cat-search on the cats (${CATS_MISSING})`, () => {
  let copies: number[][];
  let samples: number;

  beforeAll(async () => {
    // A made-up model of rank 16 over all the real pixels: the element's loading at full size, paging and copy marks are what is tested.
    const { matrix, manifest } = await loadImages(cats!, { size: 64 });
    samples = manifest.samples;
    const model = join(folder, 'cats-model');
    await mkdir(model, { recursive: true });
    const rank = 16;
    const W = Float32Array.from({ length: manifest.samples * rank }, (_, i) => {
      const row = Math.floor(i / rank);
      return matrix.data[row * matrix.features + (i % rank) * 97] / 255 + 0.01;
    });
    await writeNpyFile(join(model, 'W.npy'), W, [manifest.samples, rank]);
    await writeNpyFile(join(model, 'H.npy'), new Float32Array(rank * matrix.features).fill(0.05), [rank, matrix.features]);
    await writeFile(join(model, 'manifest.json'), JSON.stringify({ ...manifest, rank }));

    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await exportCommand(['--model', model, '--data', cats!, '--out', join(folder, 'cats-bundle')]);
    } finally {
      quiet.mockRestore();
    }
    copies = JSON.parse(await readFile(join(folder, 'cats-bundle', 'manifest.json'), 'utf8')).copies;
  });

  it('loads, pages and marks copies', async () => {
    const { page, problems } = await openEmbed(gpuBrowser);
    await page.locator('cat-search').evaluate((element) => element.setAttribute('src', './cats-bundle/'));
    await expect.poll(() => text(status(page)), { timeout: PAGE_TIMEOUT_MS }).toContain(`${samples} cats, rank 16`);
    expect(await page.locator('cat-search [part="tile"]').count()).toBe(48);

    await page.locator('cat-search [data-action="next"]').click();
    await expect.poll(() => page.locator('cat-search [part="tile"]').first().getAttribute('data-index')).toBe('48');

    const input = page.locator('cat-search [part="query"] input');
    await input.fill(String(samples - 1));
    await input.press('Enter');
    await expect.poll(() => page.locator('cat-search [data-list="nearest"] [part="result"]').count()).toBe(8);
    await expect.poll(() => page.locator(`cat-search [part="tile"][data-index="${samples - 1}"]`).getAttribute('aria-pressed')).toBe('true');

    expect(copies.length).toBeGreaterThan(0);
    const [first, second] = copies[0];
    await input.fill(String(first));
    await input.press('Enter');
    const copy = page.locator(`cat-search [data-list="nearest"] [part="result"][data-index="${second}"]`);
    await expect.poll(() => copy.getAttribute('data-mark')).toBe('exact-copy');
    expect(await violations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});

