import { describe, expect, it } from 'vitest';
import { benchSearch, formatSearchBench } from '../../bench/search.ts';
import { useDevice } from './helpers.ts';

const gpu = useDevice();

describe('search benchmark', () => {
  it('bench 96x50 all-pairs, 24 timed CPU queries', async () => {
    const adapter = { vendor: 'test', architecture: '', device: '', description: 'adapter', isFallbackAdapter: false };
    const record = await benchSearch(gpu.device, adapter, { samples: 96, cpuQueries: 24 });
    expect(record.samples).toBe(96);
    expect(record.cpuQueries).toBe(24);
    expect(record.gpuSeconds).toBeGreaterThan(0);
    expect(record.cpuSeconds).toBeCloseTo((record.cpuMeasuredSeconds * 96) / 24, 12);
    expect(record.maxSimilarityDifference).toBeLessThan(1e-5);
    expect(record.identicalLists).toBeGreaterThan(20);

    const text = formatSearchBench(record);
    expect(text).toMatch(/all-pairs top-10 over W 96 × 50 \(set by the samples option, --samples\)/);
    expect(text).toMatch(/extrapolated linearly from 24 timed queries/);
  });
});
