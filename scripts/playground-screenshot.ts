/**
 * Takes docs/playground.png: the playground training on the cat faces.
 *
 *   node bin/run-ts.js scripts/playground-screenshot.ts [--data PATH] [--query Q] [--iterations N] [--out FILE]
 *
 * The screenshot shows the page only (chart, tiles, reconstructions); the
 * cats themselves are never written anywhere else.
 */
import { parseArgs } from 'node:util';
import { findCats } from '../test/support/cats.ts';
import { launchChromium, startPlayground } from './playground-launch.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    query: { type: 'string', default: '?limit=1500&rank=25&update=5&cmap=bone' },
    iterations: { type: 'string', default: '150' },
    out: { type: 'string', default: 'docs/playground.png' },
  },
});
const data = values.data ?? findCats();
if (!data) throw new Error('the cat faces were not found; pass --data PATH or set CATLAB_CATS_DIR');
const iterations = Number(values.iterations);

const server = await startPlayground({ data });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1180, height: 900 } });
  await page.goto(server.url + values.query);
  await page.locator('status-line[data-state=training]').waitFor({ timeout: 600_000 });
  await page.waitForFunction(
    (target) => {
      const status = document.querySelector('nmf-playground')?.shadowRoot?.querySelector('status-line');
      return Number(status?.getAttribute('data-iteration')) >= target;
    },
    iterations,
    { timeout: 1_800_000, polling: 1000 },
  );
  await page.locator('component-tiles canvas.tile').nth(3).click();
  await page.locator('component-tiles .samples canvas').first().waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: values.out, fullPage: true });
  process.stdout.write(`wrote ${values.out}\n`);
} finally {
  await browser.close();
  await server.stop();
}
