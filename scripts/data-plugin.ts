/**
 * A Vite plugin that serves one folder or zip of images to the playground
 * (`npm start -- --data PATH`): the file list at DATA_INDEX_ROUTE and every
 * file's bytes, concatenated, at DATA_BUNDLE_ROUTE. It serves loopback
 * clients only, whatever address the server listens on.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { basename, join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';
import { DATA_BUNDLE_ROUTE, DATA_INDEX_ROUTE, type ServerEntry, type ServerIndex } from '../src/worker/datasets/server-routes.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Lists the files under `folder`, hidden files and folders left out, or the single file `path`. */
export async function listDataFiles(path: string): Promise<{ index: ServerIndex; paths: string[] }> {
  const info = await stat(path);
  if (info.isFile()) {
    return { index: { name: basename(path), entries: [{ name: basename(path), size: info.size, modified: info.mtimeMs }] }, paths: [path] };
  }
  const entries: ServerEntry[] = [];
  const paths: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const children = await readdir(folder, { withFileTypes: true });
    children.sort((a, b) => a.name.localeCompare(b.name, 'en'));
    for (const child of children) {
      if (child.name.startsWith('.')) continue;
      const full = join(folder, child.name);
      if (child.isDirectory()) {
        await walk(full);
      } else if (child.isFile() || child.isSymbolicLink()) {
        const childInfo = await stat(full);
        if (!childInfo.isFile()) continue;
        entries.push({ name: relative(path, full).split(sep).join('/'), size: childInfo.size, modified: childInfo.mtimeMs });
        paths.push(full);
      }
    }
  };
  await walk(path);
  return { index: { name: basename(path), entries }, paths };
}

async function sendBundle(response: ServerResponse, paths: string[], total: number): Promise<void> {
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total), 'cache-control': 'no-store' });
  for (const path of paths) {
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(path);
      stream.on('error', reject);
      stream.on('end', resolve);
      stream.pipe(response, { end: false });
    });
  }
  response.end();
}

/**
 * Serves `dataPath` (a folder or a zip) to the playground. With no path, the
 * index route returns 204 No Content, the bundle route 404, and the page trains on MNIST.
 */
export function catlabData(dataPath: string | undefined): Plugin {
  let listed: { index: ServerIndex; paths: string[] } | undefined;
  return {
    name: 'catlab-data',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const route = (request.url ?? '').split('?')[0];
        if (route !== DATA_INDEX_ROUTE && route !== DATA_BUNDLE_ROUTE) return next();
        if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) {
          response.writeHead(403).end('the dataset routes answer loopback clients only');
          return;
        }
        if (!dataPath && route === DATA_INDEX_ROUTE) {
          // 204 rather than 404, because the page requests the index on every load and the browser logs each 404 as a console error.
          response.writeHead(204, { 'cache-control': 'no-store' }).end();
          return;
        }
        if (!dataPath) {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('no dataset: start the server with npm start -- --data PATH');
          return;
        }
        const reply = async () => {
          if (route === DATA_INDEX_ROUTE || !listed) listed = await listDataFiles(dataPath);
          if (route === DATA_INDEX_ROUTE) {
            response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(listed.index));
            return;
          }
          const total = listed.index.entries.reduce((sum, entry) => sum + entry.size, 0);
          await sendBundle(response, listed.paths, total);
        };
        reply().catch((error: unknown) => {
          server.config.logger.error(`catlab-data: serving ${route} from ${dataPath} failed: ${String(error)}`);
          if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
          response.end();
        });
      });
    },
  };
}
