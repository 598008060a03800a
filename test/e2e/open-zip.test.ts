// Opening a file that is not a zip while MNIST digits train, in Chromium
// with WebGPU on SwiftShader: the banner names the invalid archive, and the run trains on.
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerText, iteration, launchChromium, openPage, startPlayground, waitForIteration, waitForState, type Playground } from './harness.ts';

describe('Open zip with a non-zip file', () => {
  let server: Playground;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startPlayground();
    browser = await launchChromium();
    ({ page } = await openPage(browser, `${server.url}?limit=60&rank=4&update=2&max=100000`));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('names the file and keeps training', async () => {
    await waitForIteration(page, 4);
    await page
      .locator('dataset-picker input[data-input=zip]')
      .setInputFiles({ name: 'bad.zip', mimeType: 'application/zip', buffer: Buffer.from('these bytes are not a zip archive') });

    await expect.poll(() => bannerText(page)).toContain('bad.zip is not a valid zip archive');
    expect(await bannerText(page)).not.toContain('contains no files');
    await waitForState(page, 'training');
    const before = await iteration(page);
    await waitForIteration(page, before + 4);
    expect(await page.locator('status-line [data-field=dataset]').textContent()).toMatch(/60 images of 28×28/);
  });
});
