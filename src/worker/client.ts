/**
 * Starts the training worker for the page and wraps it in comlink. The UI
 * imports this module and protocol.ts from src/worker, nothing else.
 */
import * as Comlink from 'comlink';
import type { CompareApi, PlaygroundApi } from './protocol.ts';

export interface PlaygroundWorkerHandle {
  api: Comlink.Remote<PlaygroundApi>;
  /** Ends the worker, its device and its training. */
  terminate(): void;
}

/**
 * Starts a training worker; `onCrash` receives errors the worker's own code
 * did not catch, such as a script that failed to load.
 *
 * @example
 * const { api } = createPlaygroundWorker((error) => banner.show(error));
 * const engine = await api.start({ forceCpu: false, debug: false });
 */
export function createPlaygroundWorker(onCrash: (error: Error) => void): PlaygroundWorkerHandle {
  const worker = new Worker(new URL('./playground-worker.ts', import.meta.url), { type: 'module', name: 'catlab-training' });
  worker.addEventListener('error', (event) => {
    onCrash(new Error(`the training worker failed: ${event.message || 'its script did not load'}; reload the page`));
  });
  return {
    api: Comlink.wrap<PlaygroundApi>(worker),
    terminate: () => worker.terminate(),
  };
}

export interface CompareWorkerHandle {
  api: Comlink.Remote<CompareApi>;
  terminate(): void;
}

/**
 * Starts the compare page's worker, which trains several runs on one shared V.
 *
 * @example
 * const { api } = createCompareWorker((error) => banner.add(error, 'reload'));
 */
export function createCompareWorker(onCrash: (error: Error) => void): CompareWorkerHandle {
  const worker = new Worker(new URL('./compare-worker.ts', import.meta.url), { type: 'module', name: 'catlab-compare' });
  worker.addEventListener('error', (event) => {
    onCrash(new Error(`the compare worker failed: ${event.message || 'its script did not load'}; reload the page`));
  });
  return {
    api: Comlink.wrap<CompareApi>(worker),
    terminate: () => worker.terminate(),
  };
}
