/**
 * `npm run bench:playground`: drives the playground in headless Chromium
 * while it trains and reports how smooth the page stays: frames dropped
 * (from requestAnimationFrame intervals) and the longest main-thread task
 * (PerformanceObserver 'longtask', which reports tasks over 50 ms).
 *
 * Not a test: the numbers depend on the machine. Options:
 *   --data PATH     folder or zip of images to serve (default: MNIST)
 *   --query Q       query string of the page (default "?limit=1000&rank=16")
 *   --seconds S     how long to measure once training runs (default 20)
 */
import { parseArgs } from 'node:util';
import { launchChromium, startPlayground } from '../scripts/playground-launch.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    query: { type: 'string', default: '?limit=1000&rank=16' },
    seconds: { type: 'string', default: '20' },
  },
});
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new RangeError(`--seconds ${values.seconds} is invalid; give a positive number of seconds`);

interface FrameStats {
  frames: number;
  /** Frames that should have been drawn at the display rate but were not. */
  dropped: number;
  /** Median interval between animation frames, in ms: the display's frame period. */
  periodMs: number;
  worstFrameMs: number;
  longestTaskMs: number;
  longTasks: number;
}

/**
 * Installed before the page's own scripts: records every frame interval and
 * long task from then on. A string, because tsx would wrap a function's
 * inner names in a helper that does not exist in the page.
 */
const RECORD_FRAMES = `
  const state = { intervals: [], longTasks: [], last: 0 };
  globalThis.__frames = state;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) state.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  function tick(time) {
    if (state.last > 0) state.intervals.push(time - state.last);
    state.last = time;
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
`;

const server = await startPlayground({ data: values.data });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.addInitScript(RECORD_FRAMES);
  await page.goto(server.url + values.query);
  await page.locator('status-line[data-state=training]').waitFor({ timeout: 300_000 });

  // Measure from here on: loading and decoding are not what this benchmark is about.
  await page.evaluate(() => {
    const state = (globalThis as unknown as { __frames: { intervals: number[]; longTasks: number[] } }).__frames;
    state.intervals.length = 0;
    state.longTasks.length = 0;
  });
  const startIteration = Number(await page.locator('status-line').getAttribute('data-iteration'));
  await page.waitForTimeout(seconds * 1000);
  const endIteration = Number(await page.locator('status-line').getAttribute('data-iteration'));

  const stats: FrameStats = await page.evaluate(() => {
    const state = (globalThis as unknown as { __frames: { intervals: number[]; longTasks: number[] } }).__frames;
    const sorted = [...state.intervals].sort((a, b) => a - b);
    const period = sorted[Math.floor(sorted.length / 2)] ?? 16.7;
    // An interval of about k periods means k − 1 frames were missed; rounding absorbs jitter.
    const dropped = state.intervals.reduce((sum, interval) => sum + Math.max(0, Math.round(interval / period) - 1), 0);
    return {
      frames: state.intervals.length,
      dropped,
      periodMs: period,
      worstFrameMs: sorted[sorted.length - 1] ?? 0,
      longestTaskMs: Math.max(0, ...state.longTasks),
      longTasks: state.longTasks.length,
    };
  });

  const adapter = await page.locator('status-line [data-field=adapter]').textContent();
  const dataset = await page.locator('status-line [data-field=dataset]').textContent();
  process.stdout.write(
    [
      `playground benchmark: ${seconds} s of training, ${dataset?.trim()}, on ${adapter?.trim()}`,
      `  query                 ${values.query}`,
      `  iterations            ${endIteration - startIteration} (${((endIteration - startIteration) / seconds).toFixed(1)} per second)`,
      `  frames drawn          ${stats.frames} (median interval ${stats.periodMs.toFixed(1)} ms)`,
      `  frames dropped        ${stats.dropped}`,
      `  worst frame interval  ${stats.worstFrameMs.toFixed(1)} ms`,
      `  long tasks (> 50 ms)  ${stats.longTasks}, longest ${stats.longestTaskMs.toFixed(1)} ms`,
      '',
    ].join('\n'),
  );
} finally {
  await browser.close();
  await server.stop();
}
