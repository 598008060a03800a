import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Connect, ViteDevServer } from 'vite';
import { catlabData } from '../../scripts/data-plugin.ts';
import { fetchServerIndex } from '../../src/worker/datasets/server.ts';
import { DATA_INDEX_ROUTE } from '../../src/worker/datasets/server-routes.ts';

/** Runs the plugin's middleware on a GET from 127.0.0.1 and returns the status it wrote. */
function statusFor(dataPath: string | undefined, url: string): number {
  let middleware: Connect.NextHandleFunction | undefined;
  const server = { middlewares: { use: (handler: Connect.NextHandleFunction) => (middleware = handler) } };
  const plugin = catlabData(dataPath);
  (plugin.configureServer as (server: ViteDevServer) => void)(server as unknown as ViteDevServer);

  let status = 0;
  const response = {
    headersSent: false,
    writeHead(code: number) {
      status = code;
      return response;
    },
    end: () => response,
  };
  const request = { url, socket: { remoteAddress: '127.0.0.1' } };
  middleware!(request as IncomingMessage, response as unknown as ServerResponse, () => {});
  return status;
}

describe('data index without --data', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('server returns 204 No Content', () => {
    expect(statusFor(undefined, DATA_INDEX_ROUTE)).toBe(204);
  });

  it('fetchServerIndex reads 204 as none', async () => {
    vi.stubGlobal('fetch', async () => new Response(null, { status: 204 }));
    expect(await fetchServerIndex()).toBeNull();
  });
});
