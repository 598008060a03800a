import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { chromiumArgs, findChromium } from './scripts/machine.js';
import { catlabData } from './scripts/data-plugin.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// SwiftShader runs WebGPU at about 1 GFLOP/s, so GPU tests get minutes, not seconds.
const GPU_TEST_TIMEOUT_MS = 300_000;

// Playwright drives the page for minutes on SwiftShader; the e2e tests get as long.
const E2E_TEST_TIMEOUT_MS = 240_000;

/**
 * Vitest browser mode in headless Chromium with WebGPU, on 127.0.0.1 (a
 * secure context). A function, because vitest names the instances it is
 * given, so two projects cannot share one object.
 */
const headlessChromium = () => ({
  enabled: true,
  headless: true,
  api: { host: '127.0.0.1' },
  provider: playwright({
    launchOptions: { executablePath: findChromium() ?? undefined, args: chromiumArgs },
  }),
  instances: [{ browser: 'chromium' as const }],
});

export default defineConfig({
  server: { host: '127.0.0.1' },
  // scripts/start.js sets CATLAB_DATA from `npm start -- --data PATH`.
  plugins: [catlabData(process.env.CATLAB_DATA)],
  worker: { format: 'es' },
  // Both pages of `npm start` go into `npm run build`.
  build: { rolldownOptions: { input: { playground: here('index.html'), compare: here('compare.html') } } },
  // Pre-bundled up front, so the dev server never reloads the page mid-run to add one.
  optimizeDeps: { include: ['lit', 'lit/directives/repeat.js', 'comlink', 'uplot', 'fflate'] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        resolve: { alias: { '#test-device': here('test/gpu/device.node.ts') } },
        test: {
          name: 'gpu-node',
          include: ['test/gpu/**/*.test.ts'],
          environment: 'node',
          testTimeout: GPU_TEST_TIMEOUT_MS,
          hookTimeout: GPU_TEST_TIMEOUT_MS,
          // One Dawn instance per worker process; SwiftShader already uses every core.
          pool: 'forks',
          maxWorkers: 1,
        },
      },
      {
        extends: true,
        resolve: { alias: { '#test-device': here('test/gpu/device.browser.ts') } },
        test: {
          name: 'gpu-chromium',
          include: ['test/gpu/**/*.test.ts'],
          exclude: ['test/gpu/**/*.node.test.ts'],
          testTimeout: GPU_TEST_TIMEOUT_MS,
          hookTimeout: GPU_TEST_TIMEOUT_MS,
          maxWorkers: 1,
          browser: headlessChromium(),
        },
      },
      {
        // Browser-only code that needs no GPU, such as the image decoder of src/data.
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          browser: headlessChromium(),
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: E2E_TEST_TIMEOUT_MS,
          hookTimeout: E2E_TEST_TIMEOUT_MS,
          // Each test file starts its own server and Chromium; SwiftShader already uses every core.
          pool: 'forks',
          maxWorkers: 1,
        },
      },
    ],
  },
});
