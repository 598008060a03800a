/** Types of the results and events of `<cat-search>`. */
import type { Neighbour } from '../search/engine.ts';

/** One sample in the results. */
export interface CatMatch extends Neighbour {
  /** File name from the bundle's manifest. */
  file: string;
  /** Whether its pixels are byte-identical to the query's (from the manifest's `copies`). */
  exactCopy: boolean;
  /** Whether its similarity is at least 0.9999 (see `isNearDuplicate`). */
  nearDuplicate: boolean;
}

/** Detail of the `cat-select` event. */
export interface CatSelectDetail {
  index: number;
  file: string;
}

/** Detail of the `results-change` event. */
export interface ResultsChangeDetail {
  /** Index of the query sample. */
  query: number;
  nearest: CatMatch[];
  farthest: CatMatch[];
}

/** Loading state, also set as `data-state` on the `status` part. */
export type CatSearchState = 'idle' | 'loading' | 'ready' | 'error';
