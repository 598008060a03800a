/**
 * Reads the folder or zip that the dev server serves (`npm start -- --data
 * PATH`) in one request, with progress by bytes.
 */
import { DATA_BUNDLE_ROUTE, DATA_INDEX_ROUTE, type ServerIndex } from './server-routes.ts';
import { throwIfAborted, type ImageEntry, type ProgressReporter } from './types.ts';

/** Returns the served dataset's index, or null when the server serves none. */
export async function fetchServerIndex(signal?: AbortSignal): Promise<ServerIndex | null> {
  const response = await fetch(DATA_INDEX_ROUTE, { signal });
  // The server returns 204 No Content without --data. A 404 is also read as no data set, for servers that predate the 204.
  if (response.status === 204 || response.status === 404) return null;
  if (!response.ok) throw new Error(`fetching ${DATA_INDEX_ROUTE} failed with HTTP ${response.status}; restart npm start`);
  const index = (await response.json()) as ServerIndex;
  if (!Array.isArray(index.entries)) throw new Error(`${DATA_INDEX_ROUTE} returned no entries list; restart npm start`);
  return index;
}

/** Downloads every entry of `index` and returns them as blobs. */
export async function fetchServerEntries(index: ServerIndex, options: { signal?: AbortSignal; onProgress: ProgressReporter }): Promise<ImageEntry[]> {
  const total = index.entries.reduce((sum, entry) => sum + entry.size, 0);
  const response = await fetch(DATA_BUNDLE_ROUTE, { signal: options.signal });
  if (!response.ok || !response.body) {
    throw new Error(`fetching ${DATA_BUNDLE_ROUTE} failed with HTTP ${response.status}; restart npm start`);
  }

  const bytes = new Uint8Array(total);
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    throwIfAborted(options.signal);
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.length > total) {
      throw new Error(`${DATA_BUNDLE_ROUTE} sent more than the ${total} bytes its index lists; a file changed while serving, reload the page`);
    }
    bytes.set(value, received);
    received += value.length;
    options.onProgress({ phase: 'reading', done: received, total });
  }
  if (received !== total) {
    throw new Error(`${DATA_BUNDLE_ROUTE} sent ${received} of the ${total} bytes its index lists; a file changed while serving, reload the page`);
  }

  const all = new Blob([bytes]);
  const entries: ImageEntry[] = [];
  let offset = 0;
  for (const entry of index.entries) {
    entries.push({ name: entry.name, blob: all.slice(offset, offset + entry.size) });
    offset += entry.size;
  }
  return entries;
}
