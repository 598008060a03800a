#!/usr/bin/env node
// `npm start [-- --data <folder|zip>] [--port N]`: serves the playground with
// Vite on 127.0.0.1 and prints its URL. With --data, the page trains on that
// folder or zip of images instead of the MNIST digits.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HELP = `usage: npm start -- [--data <folder|zip>] [--port N]

  --data PATH   folder or .zip of images the page trains on (default: the MNIST digits)
  --port N      port to listen on, on 127.0.0.1 (default 5173, or the next free one)`;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  process.stderr.write(`npm start: ${message}\n${HELP}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: { data: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (error) {
  fail(error.message);
}
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
  fail(`--port ${values.port} is invalid; use an integer from 1 to 65535`);
}

if (values.data !== undefined) {
  const path = resolve(values.data);
  if (!existsSync(path)) fail(`--data ${values.data} does not exist; give a folder or .zip of images`);
  const info = statSync(path);
  if (!info.isDirectory() && !path.toLowerCase().endsWith('.zip')) {
    fail(`--data ${values.data} is neither a folder nor a .zip file`);
  }
  // vite.config.ts hands this to the dataset plugin.
  process.env.CATLAB_DATA = path;
}

const { createServer } = await import('vite');
const server = await createServer({
  configFile: resolve(root, 'vite.config.ts'),
  root,
  server: { host: '127.0.0.1', port, strictPort: port !== undefined },
});
try {
  await server.listen();
} catch (error) {
  // With --port, Vite binds only that port (strictPort) and rejects with "Port N is already in use" (message text of Vite 8.4).
  if (port === undefined || !/already in use/.test(String(error?.message))) throw error;
  process.stderr.write(
    `npm start: port ${port} on 127.0.0.1 is already in use; choose another with --port N, or leave out --port to take the next free one\n`,
  );
  await server.close();
  process.exit(1);
}

const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${server.config.server.port}/`;
process.stdout.write(`catlab playground: ${url}\n`);
process.stdout.write(process.env.CATLAB_DATA ? `serving images from ${process.env.CATLAB_DATA}\n` : 'training on the MNIST digits; add -- --data <folder|zip> for your own images\n');

const stop = () => server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
