// The playground when things go wrong: a GPU device lost mid-training
// (simulated through the debug hook), and a browser without WebGPU.
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bannerText,
  chartLosses,
  iteration,
  launchChromium,
  openPage,
  startPlayground,
  trainingState,
  waitForIteration,
  waitForState,
  type Playground,
} from './harness.ts';

let server: Playground;

beforeAll(async () => {
  server = await startPlayground();
});

afterAll(async () => {
  await server?.stop();
});

describe('playground after a device loss', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('says so and resumes from the last snapshot', async () => {
    const { page } = await openPage(browser, `${server.url}?limit=100&rank=4&update=3&debug=1`);
    await waitForIteration(page, 15);

    // A validation error reaches the same banner, and training goes on.
    await page.locator('[data-command=validation-error]').click();
    const validation = page.locator('error-banner [role=alert]', { hasText: 'GPUValidationError' });
    await expect.poll(() => validation.count()).toBe(1);
    await validation.locator('[data-action=dismiss]').click();
    expect(await trainingState(page)).toBe('training');

    await page.locator('[data-command=lose-device]').click();
    await waitForState(page, 'device-lost');
    const lostAt = await iteration(page);
    const banner = page.locator('error-banner [data-recovery=resume]');
    await expect.poll(() => banner.textContent()).toMatch(/device lost/i);
    expect(await banner.textContent()).toMatch(/W and H of iteration \d+ are kept/);
    const keptIteration = Number(/iteration (\d+) are kept/.exec((await banner.textContent()) ?? '')![1]);
    expect(keptIteration).toBeGreaterThan(0);
    expect(keptIteration).toBeLessThanOrEqual(lostAt);
    const before = await chartLosses(page);

    await page.locator('error-banner [data-action=resume]').click();
    await waitForIteration(page, keptIteration + 10);
    expect(await trainingState(page)).toBe('training');
    expect(await bannerText(page)).toBe('');

    // The history up to the snapshot is kept, and training continued from there rather than from the seed.
    const after = await chartLosses(page);
    expect(after.slice(0, keptIteration)).toEqual(before.slice(0, keptIteration));
    expect(after[keptIteration]).toBeLessThan(before[0]);
    await page.close();
  });
});

describe('playground without WebGPU', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium({ webgpu: false });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('says so and trains on the CPU engine', async () => {
    const { page, pageErrors } = await openPage(browser, `${server.url}?rank=4`);
    const notice = page.locator('[data-testid=cpu-notice]');
    await expect.poll(() => notice.textContent(), { timeout: 60_000 }).toMatch(/CPU mode: WebGPU found no GPU adapter/);
    await waitForIteration(page, 3);
    expect(await notice.textContent()).toMatch(/first 500 images/);
    expect(await page.locator('status-line [data-field=adapter]').textContent()).toBe('CPU engine');
    const losses = await chartLosses(page);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
