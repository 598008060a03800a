// The compare page on the MNIST digits, in Chromium with WebGPU on
// SwiftShader: three runs on one shared V, their curves, stepping one run
// alone, and the runs restored from the URL.
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATS_MISSING, findCats } from '../support/cats.ts';
import { bannerText, launchChromium, openPage, PAGE_TIMEOUT_MS, startPlayground, type Playground } from './harness.ts';

// 100 digits at rank 4 keep three runs on SwiftShader to a few seconds per check.
const RUNS = 'mu:2:random:1:4|mu:1:nndsvda:2:4|cd:2:nndsvd:3:4';
const QUERY = `?runs=${RUNS}&limit=100&step=7`;

async function runIterations(page: Page): Promise<number[]> {
  return page.locator('compare-run-table tbody tr[data-run]').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-iteration'))));
}

async function runStates(page: Page): Promise<string[]> {
  return page.locator('compare-run-table tbody tr[data-run]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-state') ?? ''));
}

async function chartLosses(page: Page): Promise<number[][]> {
  return page.locator('compare-chart').evaluate((chart) => (chart as HTMLElement & { series: { losses: number[] }[] }).series.map((run) => [...run.losses]));
}

describe('compare page on MNIST', () => {
  let server: Playground;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    server = await startPlayground();
    browser = await launchChromium();
    ({ page, pageErrors } = await openPage(browser, `${server.url}compare.html${QUERY}`));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('trains three runs and every loss drops', async () => {
    await expect
      .poll(async () => Math.min(...(await runIterations(page))), { timeout: PAGE_TIMEOUT_MS, interval: 250, message: `runs never reached 15 iterations; banner: ${await bannerText(page)}` })
      .toBeGreaterThanOrEqual(15);
    const losses = await chartLosses(page);
    expect(losses).toHaveLength(3);
    for (const run of losses) {
      expect(run.length).toBeGreaterThanOrEqual(15);
      expect(run[run.length - 1]).toBeLessThan(run[0]);
    }
    expect(await page.locator('[data-testid=dataset]').textContent()).toMatch(/100 images of 28×28/);
    expect(await page.locator('[data-testid=engine]').textContent()).toMatch(/^GPU: /);
    expect(await page.locator('compare-chart .u-series').count()).toBe(4);
    expect(await page.locator('nmf-compare .tiles [data-run="2"] canvas').count()).toBe(4);
    expect(await page.locator('nmf-compare table.measures tr[data-run="1"] td[data-measure=explainedVariance]').textContent()).toMatch(/^0\.\d+/);
  });

  it('steps one paused run by exactly N while the others train', async () => {
    await page.locator('compare-run-table tr[data-run="1"] [data-command=pause]').click();
    await expect.poll(async () => (await runStates(page))[1], { timeout: PAGE_TIMEOUT_MS }).toBe('paused');
    const before = await runIterations(page);
    await page.waitForTimeout(1000);
    expect((await runIterations(page))[1]).toBe(before[1]);

    await page.locator('compare-run-table tr[data-run="1"] [data-command=step-n]').click();
    await expect.poll(async () => (await runIterations(page))[1], { timeout: PAGE_TIMEOUT_MS }).toBe(before[1] + 7);
    await expect.poll(async () => (await runStates(page))[1], { timeout: PAGE_TIMEOUT_MS }).toBe('paused');
    const after = await runIterations(page);
    expect(after[1]).toBe(before[1] + 7);
    expect(after[0]).toBeGreaterThan(before[0]);
    expect(after[2]).toBeGreaterThan(before[2]);
    expect((await chartLosses(page))[1]).toHaveLength(before[1] + 7);
  });

  it('steps a run alone while the others are paused', async () => {
    await page.locator('[data-command=pause-all]').click();
    await expect.poll(() => runStates(page), { timeout: PAGE_TIMEOUT_MS }).toEqual(['paused', 'paused', 'paused']);
    const before = await runIterations(page);
    await page.locator('compare-run-table tr[data-run="0"] [data-command=step-n]').click();
    await expect.poll(async () => (await runIterations(page))[0], { timeout: PAGE_TIMEOUT_MS }).toBe(before[0] + 7);
    await expect.poll(async () => (await runStates(page))[0], { timeout: PAGE_TIMEOUT_MS }).toBe('paused');
    expect(await runIterations(page)).toEqual([before[0] + 7, before[1], before[2]]);
  });

  it('rejects cd with β other than 2', async () => {
    const beta = page.locator('compare-run-table tr[data-run="2"] input[name=beta]');
    await beta.fill('1');
    await beta.press('Enter');
    await expect.poll(() => page.locator('compare-run-table .invalid').textContent()).toMatch(/solver cd minimises the Frobenius loss only/);
    expect(new URL(page.url()).searchParams.get('runs')).toBe(RUNS);
  });

  it('restores the three runs from the URL', async () => {
    const { page: restored, pageErrors: restoredErrors } = await openPage(browser, page.url());
    await expect.poll(async () => Math.min(...(await runIterations(restored))), { timeout: PAGE_TIMEOUT_MS, interval: 250 }).toBeGreaterThanOrEqual(3);
    expect(await restored.locator('compare-run-table select[name=solver]').evaluateAll((selects) => selects.map((s) => (s as HTMLSelectElement).value))).toEqual(['mu', 'mu', 'cd']);
    expect(await restored.locator('compare-run-table input[name=beta]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(['2', '1', '2']);
    expect(await restored.locator('compare-run-table select[name=init]').evaluateAll((selects) => selects.map((s) => (s as HTMLSelectElement).value))).toEqual(['random', 'nndsvda', 'nndsvd']);
    expect(await restored.locator('compare-run-table input[name=seed]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(['1', '2', '3']);
    expect((await chartLosses(restored)).length).toBe(3);
    expect(restoredErrors).toEqual([]);
    await restored.close();
  });

  it('names a bad runs parameter on the banner', async () => {
    const { page: bad } = await openPage(browser, `${server.url}compare.html?limit=100&runs=garbage`);
    await expect.poll(() => bannerText(bad), { timeout: PAGE_TIMEOUT_MS }).toMatch(/run 'garbage' is invalid/);
    await bad.close();
  });

  it('plots the loss against seconds', async () => {
    await page.locator('nmf-compare input[name=xAxis]').check();
    await expect.poll(() => new URL(page.url()).searchParams.get('x')).toBe('seconds');
    await expect.poll(() => page.locator('compare-chart').evaluate((chart) => (chart as HTMLElement & { xLabel?: string }).xLabel)).toBe('seconds');
    const seconds = await page.locator('compare-chart').evaluate((chart) => (chart as HTMLElement & { series: { seconds: number[] }[] }).series.map((run) => run.seconds));
    for (const run of seconds) {
      expect(run[0]).toBeGreaterThan(0);
      for (let i = 1; i < run.length; i++) expect(run[i]).toBeGreaterThanOrEqual(run[i - 1]);
    }
    await page.locator('nmf-compare input[name=xAxis]').uncheck();
    await expect.poll(() => new URL(page.url()).searchParams.get('x')).toBeNull();
  });

  it('adds and removes runs', async () => {
    await page.locator('compare-run-table [data-command=add-run]').click();
    await expect.poll(() => runStates(page), { timeout: PAGE_TIMEOUT_MS }).toEqual(['paused', 'paused', 'paused', 'paused']);
    expect(new URL(page.url()).searchParams.get('runs')).toBe(`${RUNS}|cd:2:nndsvd:4:4`);
    expect(await runIterations(page)).toEqual([0, 0, 0, 0]);
    expect(await page.locator('compare-run-table [data-command=add-run]').isDisabled()).toBe(true);

    await page.locator('compare-run-table tr[data-run="0"] [data-command=remove]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('runs')).toBe('mu:1:nndsvda:2:4|cd:2:nndsvd:3:4|cd:2:nndsvd:4:4');
    await expect.poll(() => runStates(page), { timeout: PAGE_TIMEOUT_MS }).toEqual(['paused', 'paused', 'paused']);
    expect(await chartLosses(page)).toEqual([[], [], []]);
  });

  it('trains on the CPU engine with cpu=1', async () => {
    const { page: cpu, pageErrors: cpuErrors } = await openPage(browser, `${server.url}compare.html?runs=mu:2:random:1:4|cd:2:nndsvda:1:4&limit=60&cpu=1`);
    await expect.poll(async () => Math.min(...(await runIterations(cpu))), { timeout: PAGE_TIMEOUT_MS, interval: 250 }).toBeGreaterThanOrEqual(5);
    expect(await cpu.locator('[data-testid=engine]').textContent()).toMatch(/^CPU/);
    expect(await cpu.locator('[data-testid=dataset]').textContent()).toMatch(/60 images of 28×28/);
    for (const run of await chartLosses(cpu)) expect(run[run.length - 1]).toBeLessThan(run[0]);
    expect(cpuErrors).toEqual([]);
    await cpu.close();
  });

  it('links from the playground', async () => {
    const { page: playground } = await openPage(browser, `${server.url}?limit=100`);
    await expect.poll(() => playground.locator('nmf-playground [data-testid=compare-link]').getAttribute('href')).toBe('compare.html?limit=100');
    await playground.close();
  });

  it('raised no page errors', async () => {
    expect(pageErrors).toEqual([]);
    expect(await bannerText(page)).toBe('');
  });
});

const CAT_COUNT = 40;
const cats = findCats();

describe.skipIf(!cats)(cats ? `compare page on the first ${CAT_COUNT} cat faces` : CATS_MISSING, () => {
  let server: Playground;
  let browser: Browser;
  let scratch: string;

  beforeAll(async () => {
    // Links to the first images in natural order, so nothing derived from the cats is written.
    scratch = await mkdtemp(join(tmpdir(), 'catlab-compare-'));
    const folder = join(scratch, 'cats');
    await mkdir(folder);
    const names = (await readdir(cats!)).filter((name) => /^\d+\.jpg$/.test(name));
    names.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
    for (const name of names.slice(0, CAT_COUNT)) await symlink(join(cats!, name), join(folder, name));
    server = await startPlayground({ data: folder });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('trains three runs on the served folder', async () => {
    const { page, pageErrors } = await openPage(browser, `${server.url}compare.html?runs=mu:2:nndsvda:1:4|mu:1:random:1:4|cd:2:nndsvd:1:4`);
    await expect.poll(async () => Math.min(...(await runIterations(page))), { timeout: PAGE_TIMEOUT_MS, interval: 250 }).toBeGreaterThanOrEqual(8);
    expect(await page.locator('[data-testid=dataset]').textContent()).toMatch(new RegExp(`cats: ${CAT_COUNT} images of 64×64`));
    const losses = await chartLosses(page);
    expect(losses).toHaveLength(3);
    for (const run of losses) expect(run[run.length - 1]).toBeLessThan(run[0]);
    expect(await bannerText(page)).toBe('');
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
