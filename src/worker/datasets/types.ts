/**
 * Shapes shared by the dataset loaders of the worker.
 */
import type { U8Matrix } from '../../nmf/matrix.ts';
import type { LoadProgress, SkippedFile } from '../protocol.ts';

/** A decoded dataset: V plus what the page shows about it. */
export interface DecodedDataset {
  name: string;
  matrix: U8Matrix;
  width: number;
  height: number;
  /** One name per row of V: a file path, or `digit 3 #17` for MNIST. */
  names: string[];
  skipped: SkippedFile[];
  /** Images the source held before any limit; see `DatasetInfo.availableSamples`. */
  availableSamples: number;
}

/** One file to decode, named by its path inside the folder or zip. */
export interface ImageEntry {
  name: string;
  blob: Blob;
}

export type ProgressReporter = (progress: LoadProgress) => void;

/** Throws the `AbortError` that `cancelLoad()` promises when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('loading the dataset was cancelled', 'AbortError');
}
