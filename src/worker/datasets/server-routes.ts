/**
 * The routes of the dev server's dataset endpoint (`npm start -- --data
 * PATH`), shared by the Vite plugin that serves them and the worker that
 * reads them.
 */

/** GET: the `ServerIndex` of the folder or zip, or 204 No Content when the server was started without `--data`. */
export const DATA_INDEX_ROUTE = '/@catlab/data/index.json';

/** GET: the bytes of every entry of the index, concatenated in index order. */
export const DATA_BUNDLE_ROUTE = '/@catlab/data/bundle';

export interface ServerEntry {
  /** Path relative to the served folder, with `/` separators; the file name for a zip. */
  name: string;
  size: number;
  /** Last modification, in milliseconds since the Unix epoch. */
  modified: number;
}

export interface ServerIndex {
  /** The folder or zip name, without its parent path. */
  name: string;
  entries: ServerEntry[];
}
