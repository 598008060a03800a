/**
 * Finds the real cat faces for the tests that use them: $CATLAB_CATS_DIR, or
 * shared/data/cats64 in the repository's parent folders. Returns null when
 * absent, so those tests skip with a message instead of failing.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CATS_MISSING =
  'skipped: the cat faces are not here (set CATLAB_CATS_DIR or place them at ../shared/data/cats64)';

export function findCats(): string | null {
  const fromEnv = process.env.CATLAB_CATS_DIR;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  let folder = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(folder, 'shared', 'data', 'cats64');
    if (existsSync(join(candidate, '1.jpg'))) return candidate;
    folder = dirname(folder);
  }
  return null;
}
