/**
 * Starts the playground for scripts and tests: `scripts/start.js` on a free
 * loopback port, and Chromium with (or without) WebGPU as
 * scripts/machine.js sets it up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';
import { chromiumArgs, findChromium } from './machine.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
