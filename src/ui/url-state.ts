/**
 * The page's settings as a query string, so that a run can be shared and
 * restored: `?rank=16&seed=1&update=10&max=5000&limit=200&size=64&cmap=viridis`.
 * `cpu=1` forces the CPU engine and `debug=1` enables the device-loss button.
 */
import { DEFAULT_SETTINGS, type Settings } from '../worker/protocol.ts';
import { isColormapName, type ColormapName } from './colormap.ts';

export interface PageOptions {
  settings: Settings;
  /** Train on the first `limit` images only; undefined for all. */
  limit?: number;
  /** Side of the square images that opened files are scaled to, in pixels. */
  size: number;
  colormap: ColormapName;
  /** Iterations the "step N" button runs. */
  stepSize: number;
  forceCpu: boolean;
  debug: boolean;
}

export const DEFAULT_IMAGE_SIZE = 64;
export const DEFAULT_STEP_SIZE = 10;

/** Query parameter of each option; short, because people share these URLs. */
const KEYS = {
  rank: 'rank',
  seed: 'seed',
  iterationsPerUpdate: 'update',
  maxIterations: 'max',
  limit: 'limit',
  size: 'size',
  colormap: 'cmap',
  stepSize: 'step',
  forceCpu: 'cpu',
  debug: 'debug',
} as const;

function integer(params: URLSearchParams, key: string, fallback: number, min: number, max: number): number {
  const text = params.get(key);
  if (text === null) return fallback;
  const value = Number(text);
  return Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

function flag(params: URLSearchParams, key: string): boolean {
  const value = params.get(key);
  return value !== null && value !== '0' && value !== 'false';
}

/** Reads options from a query string; values that are missing or invalid fall back to the defaults. */
export function parsePageOptions(search: string): PageOptions {
  const params = new URLSearchParams(search);
  const limit = integer(params, KEYS.limit, 0, 1, Number.MAX_SAFE_INTEGER);
  const colormap = params.get(KEYS.colormap) ?? '';
  return {
    settings: {
      rank: integer(params, KEYS.rank, DEFAULT_SETTINGS.rank, 1, 4096),
      seed: integer(params, KEYS.seed, DEFAULT_SETTINGS.seed, 0, 0xffffffff),
      iterationsPerUpdate: integer(params, KEYS.iterationsPerUpdate, DEFAULT_SETTINGS.iterationsPerUpdate, 1, 100_000),
      maxIterations: integer(params, KEYS.maxIterations, DEFAULT_SETTINGS.maxIterations, 1, 100_000_000),
    },
    limit: limit || undefined,
    size: integer(params, KEYS.size, DEFAULT_IMAGE_SIZE, 1, 1024),
    colormap: isColormapName(colormap) ? colormap : 'viridis',
    stepSize: integer(params, KEYS.stepSize, DEFAULT_STEP_SIZE, 1, 1_000_000),
    forceCpu: flag(params, KEYS.forceCpu),
    debug: flag(params, KEYS.debug),
  };
}

/** Writes options as a query string (with the leading `?`), leaving out values equal to the defaults. */
export function formatPageOptions(options: PageOptions): string {
  const params = new URLSearchParams();
  const { settings } = options;
  const put = (key: string, value: number | string, fallback: number | string) => {
    if (value !== fallback) params.set(key, String(value));
  };
  put(KEYS.rank, settings.rank, DEFAULT_SETTINGS.rank);
  put(KEYS.seed, settings.seed, DEFAULT_SETTINGS.seed);
  put(KEYS.iterationsPerUpdate, settings.iterationsPerUpdate, DEFAULT_SETTINGS.iterationsPerUpdate);
  put(KEYS.maxIterations, settings.maxIterations, DEFAULT_SETTINGS.maxIterations);
  if (options.limit) params.set(KEYS.limit, String(options.limit));
  put(KEYS.size, options.size, DEFAULT_IMAGE_SIZE);
  put(KEYS.colormap, options.colormap, 'viridis');
  put(KEYS.stepSize, options.stepSize, DEFAULT_STEP_SIZE);
  if (options.forceCpu) params.set(KEYS.forceCpu, '1');
  if (options.debug) params.set(KEYS.debug, '1');
  const text = params.toString();
  return text ? `?${text}` : '';
}
