// Invalid values in the URL, the rank field and the search index field, on 60
// MNIST digits in Chromium with WebGPU on SwiftShader: each one gets a message
// with the valid range, and the page keeps showing the settings it trains with.
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerText, launchChromium, openPage, startPlayground, waitForIteration, type Playground } from './harness.ts';

describe('settings checks on the page', () => {
  let server: Playground;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startPlayground();
    browser = await launchChromium();
    ({ page } = await openPage(browser, `${server.url}?limit=60&rank=0&seed=-1&update=2`));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('URL notices name each invalid parameter', async () => {
    await waitForIteration(page, 2);
    const banner = await bannerText(page);
    expect(banner).toContain('URL parameter rank=0 is invalid (an integer from 1 to 4096); using 16');
    expect(banner).toContain('URL parameter seed=-1 is invalid (an integer from 0 to 4294967295); using 1');

    const params = new URL(page.url()).searchParams;
    expect(params.get('rank')).toBeNull();
    expect(params.get('seed')).toBeNull();
    expect(params.get('limit')).toBe('60');
    expect(params.get('update')).toBe('2');
  });

  it('rank field rejects each invalid value alike', async () => {
    await page.locator('error-banner button[data-action=dismiss]').first().click();
    await page.locator('error-banner button[data-action=dismiss]').first().click();
    const rank = page.locator('training-controls input[name=rank]');
    for (const text of ['0', '-3', '2.5', '61', '99999']) {
      await rank.fill(text);
      await rank.press('Enter');
      await expect.poll(() => bannerText(page)).toContain(`rank ${text} is invalid for 60 samples × 784 features; choose an integer from 1 to 60`);
      await expect.poll(() => rank.inputValue()).toBe('16');
      await page.locator('error-banner button[data-action=dismiss]').first().click();
    }
    expect(new URL(page.url()).searchParams.get('rank')).toBeNull();
  });

  it('search index error gives the range', async () => {
    const index = page.locator('search-panel input[data-role=index]');
    const error = page.locator('search-panel [data-role=search-error]');
    for (const text of ['-1', '', '60']) {
      await index.fill(text);
      await index.press('Enter');
      await expect.poll(() => error.textContent()).toBe(`sample index "${text}" is invalid; type a whole number from 0 to 59`);
    }
  });
});
