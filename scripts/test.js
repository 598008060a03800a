#!/usr/bin/env node
// `npm test`: checks that a Chromium and a Vulkan driver are there, then runs
// every vitest project (unit, GPU in Node, GPU in Chromium, end to end).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright';
import { findChromium, vulkanDriverEnv } from './machine.js';

const env = { ...process.env };

let browser = findChromium();
if (!browser) {
  const downloaded = chromium.executablePath();
  if (existsSync(downloaded)) browser = downloaded;
}
if (!browser) {
  console.error(
    'npm test: no Chromium found for the browser tests.\n' +
      '  On Debian or Ubuntu: apt-get install chromium libvulkan1\n' +
      '  Elsewhere, where the network allows: npx playwright install chromium\n' +
      '  Or point CATLAB_CHROMIUM at a Chromium or Chrome binary.',
  );
  process.exit(1);
}
env.CATLAB_CHROMIUM = browser;

Object.assign(env, vulkanDriverEnv(env));

// Type errors fail the run before any test starts.
const typecheck = spawnSync('npx', ['tsc', '--noEmit', '-p', '.'], { stdio: 'inherit', env });
if (typecheck.status !== 0) process.exit(typecheck.status ?? 1);

const result = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
