// The playground on its default dataset, the MNIST digits, in Chromium with
// WebGPU on SwiftShader: training, the controls, and settings in the URL.
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bannerText,
  canvasColourCounts,
  chartLosses,
  iteration,
  launchChromium,
  openPage,
  startPlayground,
  waitForIteration,
  waitForState,
  type Playground,
} from './harness.ts';

// 120 digits at rank 4 ran about 10 iterations per second on SwiftShader on a
// 2-core machine, so each check below waits a few seconds at most.
const QUERY = '?limit=120&rank=4&update=5&step=7';

describe('playground on MNIST', () => {
  let server: Playground;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    server = await startPlayground();
    browser = await launchChromium();
    ({ page, pageErrors } = await openPage(browser, server.url + QUERY));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('trains on page load and the loss drops', async () => {
    await waitForIteration(page, 20);
    const losses = await chartLosses(page);
    expect(losses.length).toBeGreaterThanOrEqual(20);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(await page.locator('status-line [data-field=dataset]').textContent()).toMatch(/120 images of 28×28/);
    expect(await page.locator('status-line [data-field=memory]').textContent()).toMatch(/GPU memory [1-9]/);
    expect(await page.locator('status-line [data-field=adapter]').textContent()).toMatch(/\S/);
    expect(await bannerText(page)).toBe('');
  });

  it('draws tiles and reconstructions that are not blank', async () => {
    const tiles = await canvasColourCounts(page, 'component-tiles canvas.tile');
    expect(tiles).toHaveLength(4);
    for (const colours of tiles) expect(colours).toBeGreaterThan(8);
    const reconstructions = await canvasColourCounts(page, 'reconstruction-view canvas[data-role=reconstruction]');
    expect(reconstructions.length).toBeGreaterThan(0);
    for (const colours of reconstructions) expect(colours).toBeGreaterThan(8);
  });

  it('loss chart switches to log scale and reads out on hover', async () => {
    await page.locator('loss-chart input[type=checkbox]').check();
    const plot = page.locator('loss-chart .u-over');
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.locator('loss-chart [data-testid=loss-readout]').textContent()).toMatch(/^iteration \d+: loss \d/);
    await page.locator('loss-chart input[type=checkbox]').uncheck();
    expect(pageErrors).toEqual([]);
  });

  it('pause freezes the iteration count', async () => {
    await page.locator('[data-command=pause]').click();
    await waitForState(page, 'paused');
    const paused = await iteration(page);
    await page.waitForTimeout(1500);
    expect(await iteration(page)).toBe(paused);
    expect(await chartLosses(page)).toHaveLength(paused);
  });

  it('step N adds exactly N iterations', async () => {
    const before = await iteration(page);
    await page.locator('[data-command=step-n]').click();
    await waitForIteration(page, before + 7);
    await waitForState(page, 'paused');
    expect(await iteration(page)).toBe(before + 7);

    await page.keyboard.press('ArrowRight');
    await waitForIteration(page, before + 8);
    await page.waitForTimeout(500);
    expect(await iteration(page)).toBe(before + 8);
  });

  it('reset reproduces the first losses bit for bit', async () => {
    const first = (await chartLosses(page)).slice(0, 12);
    await page.keyboard.press('r');
    await expect.poll(() => iteration(page)).toBe(0);
    await page.locator('[data-command=step-n]').click();
    await waitForIteration(page, 7);
    await page.locator('[data-command=step-n]').click();
    await waitForIteration(page, 14);
    await waitForState(page, 'paused');
    expect((await chartLosses(page)).slice(0, 12)).toEqual(first);
  });

  it('shows the samples that weigh a clicked component most', async () => {
    await page.locator('component-tiles canvas.tile').nth(1).click();
    await expect.poll(async () => (await canvasColourCounts(page, 'component-tiles .samples canvas')).length).toBeGreaterThan(0);
    const samples = await canvasColourCounts(page, 'component-tiles .samples canvas');
    for (const colours of samples) expect(colours).toBeGreaterThan(1);

    // Clicking a listed sample shows it first above its reconstruction.
    const caption = await page.locator('component-tiles .samples figcaption').nth(2).textContent();
    const index = /#(\d+)/.exec(caption ?? '')![1];
    await page.locator('component-tiles .samples canvas').nth(2).click();
    const first = page.locator('reconstruction-view canvas[data-role=original]').first();
    await expect.poll(() => first.getAttribute('title')).toBe(`sample ${index}`);
  });

  it('keeps settings in the URL and restores them', async () => {
    const rank = page.locator('training-controls input[name=rank]');
    await rank.fill('5');
    await rank.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('rank')).toBe('5');
    const seed = page.locator('training-controls input[name=seed]');
    await seed.fill('42');
    await seed.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('seed')).toBe('42');

    const { page: restored } = await openPage(browser, page.url());
    await waitForIteration(restored, 3);
    expect(await restored.locator('training-controls input[name=rank]').inputValue()).toBe('5');
    expect(await restored.locator('training-controls input[name=seed]').inputValue()).toBe('42');
    expect(await restored.locator('component-tiles canvas.tile').count()).toBe(5);
    await restored.close();
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
