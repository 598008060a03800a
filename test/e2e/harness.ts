/**
 * End-to-end helpers: open the playground and read the page's state through
 * its components. Starting the server and Chromium lives in
 * scripts/playground-launch.ts, which the benchmark shares.
 */
import type { Browser, Page } from 'playwright';
import { expect } from 'vitest';

export { launchChromium, startPlayground, type Playground } from '../../scripts/playground-launch.ts';

/** Time the page gets to reach a state on SwiftShader, in milliseconds. */
export const PAGE_TIMEOUT_MS = 90_000;

/** Opens a page and collects page errors, which a test can assert to be empty. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  return { page, pageErrors };
}

export async function iteration(page: Page): Promise<number> {
  return Number(await page.locator('status-line').getAttribute('data-iteration'));
}

export async function trainingState(page: Page): Promise<string | null> {
  return page.locator('status-line').getAttribute('data-state');
}

/** Waits until the page's iteration count reaches `count`, failing with the state and banner text if it does not. */
export async function waitForIteration(page: Page, count: number, timeout = PAGE_TIMEOUT_MS): Promise<void> {
  await expect
    .poll(async () => iteration(page), { timeout, interval: 250, message: `iteration never reached ${count}; banner: ${await bannerText(page)}` })
    .toBeGreaterThanOrEqual(count);
}

export async function waitForState(page: Page, state: string, timeout = PAGE_TIMEOUT_MS): Promise<void> {
  await expect.poll(async () => trainingState(page), { timeout, interval: 200 }).toBe(state);
}

export async function bannerText(page: Page): Promise<string> {
  const entries = page.locator('error-banner [role=alert]');
  return (await entries.allTextContents()).join(' | ');
}

/** Returns the losses `<loss-chart>` contains, in order. */
export async function chartLosses(page: Page): Promise<number[]> {
  return page.locator('loss-chart').evaluate((chart) => [...(chart as HTMLElement & { losses: number[] }).losses]);
}

/** For each canvas matched inside `host`: how many distinct RGB colours it shows. */
export async function canvasColourCounts(page: Page, selector: string): Promise<number[]> {
  return page.locator(selector).evaluateAll((canvases) =>
    canvases.map((element) => {
      const canvas = element as HTMLCanvasElement;
      const context = canvas.getContext('2d');
      if (!context || canvas.width === 0) return 0;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4) colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      return colours.size;
    }),
  );
}
