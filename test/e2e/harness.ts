/**
 * End-to-end helpers: start the playground with `scripts/start.js` on a free
 * loopback port, launch Chromium with (or without) WebGPU, and read the
 * page's state through its components.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { expect } from 'vitest';
import { chromiumArgs, findChromium } from '../../scripts/machine.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Time the page gets to reach a state on SwiftShader, in milliseconds. */
export const PAGE_TIMEOUT_MS = 90_000;

export interface Playground {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Runs `npm start` (scripts/start.js) with `--data` when given, and returns the URL it prints. */
export async function startPlayground(options: { data?: string } = {}): Promise<Playground> {
  const port = await freePort();
  const args = ['scripts/start.js', '--port', String(port), ...(options.data ? ['--data', options.data] : [])];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL within 60 s; its output:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /catlab playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with code ${code}; its output:\n${output}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}

/** Launches Chromium as scripts/machine.js sets it up; `webgpu: false` leaves out --enable-unsafe-webgpu. */
export async function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  const executablePath = findChromium() ?? undefined;
  const args = options.webgpu === false ? chromiumArgs.filter((arg) => arg !== '--enable-unsafe-webgpu') : chromiumArgs;
  return chromium.launch({ executablePath, args });
}

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

/** The losses `<loss-chart>` holds, in order. */
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
