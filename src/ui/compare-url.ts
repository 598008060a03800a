/**
 * The compare page's settings as a query string, so that a comparison can be
 * shared and restored:
 *
 *   ?runs=mu:2:random:1:8|mu:1:nndsvda:1:8|cd:2:nndsvd:1:8&limit=200&step=10&x=seconds
 *
 * Each run is `solver:beta:init:seed:rank`, followed by `:alphaW:alphaH:l1Ratio`
 * when any of the three is not 0. Runs are separated by `|`. `limit` trains on
 * the first images only, `step` is the N of the step buttons, `x=seconds`
 * plots the loss against seconds, and `cpu=1` forces the CPU engine.
 */
import { MAX_RUNS, MIN_RUNS, type RunSettings } from '../worker/protocol.ts';

export interface CompareOptions {
  runs: RunSettings[];
  /** Train on the first `limit` images only; undefined for all. */
  limit?: number;
  /** Iterations the step buttons run. */
  stepSize: number;
  /** Horizontal axis of the loss chart. */
  xAxis: 'iteration' | 'seconds';
  forceCpu: boolean;
}

export const SOLVERS = ['mu', 'cd'] as const;
export const INITS = ['random', 'nndsvd', 'nndsvda', 'nndsvdar'] as const;
/** β values the beta field offers; any other number is accepted too. */
export const COMMON_BETAS = [2, 1, 0.5, 0] as const;

/** Runs of a page whose URL sets none, or sets invalid ones. */
export const DEFAULT_RUNS: readonly RunSettings[] = [
  { solver: 'mu', beta: 2, init: 'random', seed: 1, rank: 8, alphaW: 0, alphaH: 0, l1Ratio: 0 },
  { solver: 'mu', beta: 1, init: 'nndsvda', seed: 1, rank: 8, alphaW: 0, alphaH: 0, l1Ratio: 0 },
  { solver: 'cd', beta: 2, init: 'nndsvd', seed: 1, rank: 8, alphaW: 0, alphaH: 0, l1Ratio: 0 },
];

const DEFAULT_STEP_SIZE = 10;
const RUN_SEPARATOR = '|';
const FIELD_SEPARATOR = ':';

/** Returns why `settings` cannot run, or undefined when they can. */
export function runSettingsError(settings: RunSettings): string | undefined {
  const { solver, beta, init, seed, rank, alphaW, alphaH, l1Ratio } = settings;
  if (!SOLVERS.includes(solver)) return `solver '${solver}' is invalid; use mu or cd`;
  if (!Number.isFinite(beta)) return `beta '${beta}' is invalid; give a number such as 2, 1, 0.5 or 0`;
  if (solver === 'cd' && beta !== 2) return `solver cd minimises the Frobenius loss only (β = 2), but beta is ${beta}; use solver mu for other β`;
  if (!INITS.includes(init)) return `init '${init}' is invalid; use ${INITS.join(', ')}`;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return `seed ${seed} is invalid; use an integer from 0 to 4294967295`;
  if (!Number.isInteger(rank) || rank < 1 || rank > 4096) return `rank ${rank} is invalid; use an integer from 1 to 4096`;
  if (!(alphaW >= 0) || !Number.isFinite(alphaW)) return `alphaW ${alphaW} is invalid; give a number of at least 0`;
  if (!(alphaH >= 0) || !Number.isFinite(alphaH)) return `alphaH ${alphaH} is invalid; give a number of at least 0`;
  if (!(l1Ratio >= 0 && l1Ratio <= 1)) return `l1Ratio ${l1Ratio} is invalid; give a number from 0 to 1`;
  return undefined;
}

/** Formats one run as `solver:beta:init:seed:rank[:alphaW:alphaH:l1Ratio]`. */
export function formatRun(settings: RunSettings): string {
  const fields: (string | number)[] = [settings.solver, settings.beta, settings.init, settings.seed, settings.rank];
  if (settings.alphaW !== 0 || settings.alphaH !== 0 || settings.l1Ratio !== 0) fields.push(settings.alphaW, settings.alphaH, settings.l1Ratio);
  return fields.join(FIELD_SEPARATOR);
}

/** Parses one run; throws a RangeError that names the run and what is wrong with it. */
export function parseRun(text: string): RunSettings {
  const fields = text.split(FIELD_SEPARATOR);
  if (fields.length !== 5 && fields.length !== 8) {
    throw new RangeError(`run '${text}' is invalid; write solver:beta:init:seed:rank or solver:beta:init:seed:rank:alphaW:alphaH:l1Ratio`);
  }
  const number = (field: string | undefined) => (field === undefined || field.trim() === '' ? NaN : Number(field));
  const settings = {
    solver: fields[0],
    beta: number(fields[1]),
    init: fields[2],
    seed: number(fields[3]),
    rank: number(fields[4]),
    alphaW: fields.length === 8 ? number(fields[5]) : 0,
    alphaH: fields.length === 8 ? number(fields[6]) : 0,
    l1Ratio: fields.length === 8 ? number(fields[7]) : 0,
  } as RunSettings;
  const error = runSettingsError(settings);
  if (error) throw new RangeError(`run '${text}': ${error}`);
  return settings;
}

/**
 * Reads options from a query string. Invalid runs, or fewer than MIN_RUNS
 * or more than MAX_RUNS of them, give the default runs and a message in
 * `errors` for the page to show.
 */
export function parseCompareOptions(search: string): { options: CompareOptions; errors: string[] } {
  const params = new URLSearchParams(search);
  const errors: string[] = [];
  let runs = DEFAULT_RUNS.map((run) => ({ ...run }));
  const runsText = params.get('runs');
  if (runsText !== null) {
    try {
      const parsed = runsText.split(RUN_SEPARATOR).map(parseRun);
      if (parsed.length < MIN_RUNS || parsed.length > MAX_RUNS) {
        throw new RangeError(`${parsed.length} runs in the URL is invalid; compare ${MIN_RUNS} to ${MAX_RUNS} runs`);
      }
      runs = parsed;
    } catch (error) {
      errors.push(`${error instanceof Error ? error.message : String(error)}. The default runs are shown instead.`);
    }
  }
  const positive = (key: string) => {
    const value = Number(params.get(key));
    return Number.isInteger(value) && value >= 1 ? value : undefined;
  };
  const cpu = params.get('cpu');
  return {
    options: {
      runs,
      limit: positive('limit'),
      stepSize: positive('step') ?? DEFAULT_STEP_SIZE,
      xAxis: params.get('x') === 'seconds' ? 'seconds' : 'iteration',
      forceCpu: cpu !== null && cpu !== '0' && cpu !== 'false',
    },
    errors,
  };
}

/** Writes options as a query string with the leading `?`; `|` and `:` stay unescaped, so the runs read as written. */
export function formatCompareOptions(options: CompareOptions): string {
  const parts = [`runs=${options.runs.map(formatRun).join(RUN_SEPARATOR)}`];
  if (options.limit) parts.push(`limit=${options.limit}`);
  if (options.stepSize !== DEFAULT_STEP_SIZE) parts.push(`step=${options.stepSize}`);
  if (options.xAxis === 'seconds') parts.push('x=seconds');
  if (options.forceCpu) parts.push('cpu=1');
  return `?${parts.join('&')}`;
}
