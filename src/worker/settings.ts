/**
 * Checks of the training settings against the dataset they apply to.
 */
import { checkRank } from '../nmf/init.ts';
import type { U8Matrix } from '../nmf/matrix.ts';
import type { Settings } from './protocol.ts';

/**
 * Throws a RangeError naming the first setting that cannot work on `v`.
 * Without `v` (no data set loaded yet) the rank is only checked to be a
 * positive integer, and the check against min(samples, features) waits for the data.
 */
export function checkSettings(settings: Settings, v?: U8Matrix): void {
  if (v) {
    checkRank(settings.rank, v.samples, v.features);
  } else if (!Number.isInteger(settings.rank) || settings.rank < 1) {
    throw new RangeError(`rank ${settings.rank} is invalid; choose an integer from 1 to min(samples, features) of the data set`);
  }
  if (!Number.isInteger(settings.seed) || settings.seed < 0 || settings.seed > 0xffffffff) {
    throw new RangeError(`seed ${settings.seed} is invalid; use an integer from 0 to 4294967295`);
  }
  for (const name of ['iterationsPerUpdate', 'maxIterations'] as const) {
    const value = settings[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${name} ${value} is invalid; use a positive integer`);
    }
  }
}
