/**
 * Decoded matrices kept in IndexedDB, so that reloading the page does not
 * decode the same images again. The key is a SHA-256 of the file list (names,
 * sizes, modification times) and the decode settings, never of the bytes, so
 * a lookup costs no reading. Only the last decoded dataset is kept.
 */
import type { DecodedDataset } from './types.ts';

const DATABASE = 'catlab-playground';
const STORE = 'decoded-datasets';

/** Returns the cache key of a file list decoded with `settings`. */
export async function cacheKey(files: { name: string; size: number; modified: number }[], settings: object): Promise<string> {
  const text = JSON.stringify({ files: files.map((f) => [f.name, f.size, f.modified]), settings });
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`opening IndexedDB database ${DATABASE} failed`));
  });
}

function complete<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('an IndexedDB request failed'));
  });
}

/** Returns the dataset stored under `key`, or undefined. */
export async function readCached(key: string): Promise<DecodedDataset | undefined> {
  const db = await openDatabase();
  try {
    const value = await complete(db.transaction(STORE, 'readonly').objectStore(STORE).get(key));
    return value as DecodedDataset | undefined;
  } finally {
    db.close();
  }
}

/** Stores `dataset` under `key` as the only cached dataset, so the cache never contains more than one matrix. */
export async function writeCached(key: string, dataset: DecodedDataset): Promise<void> {
  const db = await openDatabase();
  try {
    const store = db.transaction(STORE, 'readwrite').objectStore(STORE);
    await complete(store.clear());
    await complete(store.put(dataset, key));
  } finally {
    db.close();
  }
}
