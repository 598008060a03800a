// The test GPU in Node: the CLI's Dawn instance, one per test process.
import { nodeGpu } from '../../src/cli/node-gpu.ts';

export const environment = 'node';

export function getGpu(): GPU {
  return nodeGpu();
}
