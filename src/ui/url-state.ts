/**
 * The page's settings as a query string, so that a run can be shared and
 * restored: `?rank=16&seed=1&update=10&max=5000&limit=200&size=64&cmap=viridis`.
 * `cpu=1` forces the CPU engine and `debug=1` enables the device-loss button.
 */
import { DEFAULT_SETTINGS, type Settings } from '../worker/protocol.ts';
import { COLORMAP_NAMES, isColormapName, type ColormapName } from './colormap.ts';

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
/**
 * Largest rank a URL may request. The data set is not known while the URL is
 * read, so the worker still checks the rank against min(samples, features).
 */
export const MAX_URL_RANK = 4096;

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

/** Options read from a query string, with one notice per parameter that was invalid and replaced by its default. */
export interface ParsedPageOptions {
  options: PageOptions;
  /** Messages such as "URL parameter rank=0 is invalid (an integer from 1 to 4096); using 16". */
  notices: string[];
}

/** Reads query parameters and records a notice for each one whose value is rejected. */
class ParameterReader {
  readonly notices: string[] = [];

  constructor(private readonly params: URLSearchParams) {}

  integer(key: string, fallback: number, min: number, max: number, fallbackText = String(fallback)): number {
    const text = this.params.get(key);
    if (text === null) return fallback;
    const value = Number(text);
    if (text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max) return value;
    this.reject(key, text, `an integer from ${min} to ${max}`, fallbackText);
    return fallback;
  }

  colormap(key: string, fallback: ColormapName): ColormapName {
    const text = this.params.get(key);
    if (text === null) return fallback;
    if (isColormapName(text)) return text;
    this.reject(key, text, `one of ${COLORMAP_NAMES.join(', ')}`, fallback);
    return fallback;
  }

  flag(key: string): boolean {
    const value = this.params.get(key);
    return value !== null && value !== '0' && value !== 'false';
  }

  private reject(key: string, text: string, expected: string, fallbackText: string): void {
    this.notices.push(`URL parameter ${key}=${text} is invalid (${expected}); using ${fallbackText}`);
  }
}

/**
 * Reads options from a query string. Missing values take the defaults, and
 * each invalid value takes its default and adds a notice naming the
 * parameter, the value and the default used.
 */
export function readPageOptions(search: string): ParsedPageOptions {
  const reader = new ParameterReader(new URLSearchParams(search));
  const limit = reader.integer(KEYS.limit, 0, 1, Number.MAX_SAFE_INTEGER, 'all images');
  const options: PageOptions = {
    settings: {
      rank: reader.integer(KEYS.rank, DEFAULT_SETTINGS.rank, 1, MAX_URL_RANK),
      seed: reader.integer(KEYS.seed, DEFAULT_SETTINGS.seed, 0, 0xffffffff),
      iterationsPerUpdate: reader.integer(KEYS.iterationsPerUpdate, DEFAULT_SETTINGS.iterationsPerUpdate, 1, 100_000),
      maxIterations: reader.integer(KEYS.maxIterations, DEFAULT_SETTINGS.maxIterations, 1, 100_000_000),
    },
    limit: limit || undefined,
    size: reader.integer(KEYS.size, DEFAULT_IMAGE_SIZE, 1, 1024),
    colormap: reader.colormap(KEYS.colormap, 'viridis'),
    stepSize: reader.integer(KEYS.stepSize, DEFAULT_STEP_SIZE, 1, 1_000_000),
    forceCpu: reader.flag(KEYS.forceCpu),
    debug: reader.flag(KEYS.debug),
  };
  return { options, notices: reader.notices };
}

/** Reads options from a query string; values that are missing or invalid fall back to the defaults. */
export function parsePageOptions(search: string): PageOptions {
  return readPageOptions(search).options;
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
