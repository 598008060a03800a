/**
 * Option parsing shared by the subcommands: typed numbers with the option's
 * name in every error.
 */

/** An error in what the user typed; main() prints its message and the usage, without a stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `value` of option `--name` as an integer in [min, max], or returns `fallback` when absent. */
export function integerOption(name: string, value: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} ${value} is invalid; give an integer ${range}`);
  }
  return parsed;
}

/** Returns `value` of a required option or throws naming it. */
export function requiredOption(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** Parses `value` of option `--name` as a finite number in [min, max], or returns `fallback` when absent. */
export function numberOption(name: string, value: string | undefined, fallback: number, min: number, max = Number.POSITIVE_INFINITY): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
    const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} ${value} is invalid; give a number ${range}`);
  }
  return parsed;
}

/** Returns `value` of option `--name` when it is one of `choices`, `fallback` when absent. */
export function choiceOption<T extends string>(name: string, value: string | undefined, fallback: T, choices: readonly T[]): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} ${value} is invalid; use ${choices.join(', ')}`);
  return value as T;
}
