/**
 * The search section of `npm run bench`: all-pairs top-10 over W on the GPU
 * against the plain TypeScript loop, measured in the same run.
 */
import { benchSearch } from './search.ts';
import type { Section } from './section.ts';
import { formatNumber } from './table.ts';

export const searchSection: Section = {
  id: 'search',
  async run(context) {
    const record = await benchSearch(context.device, context.adapter, { k: 10 });
    const extrapolated = record.cpuQueries < record.samples ? `, extrapolated from ${record.cpuQueries} timed queries` : '';
    return {
      title: `Search: all-pairs top-${record.k} over W ${record.samples} × ${record.rank} (${record.samplesReason})`,
      tables: [
        {
          columns: ['engine', 'seconds for all queries', 'TS / GPU'],
          rows: [
            ['GPU (GpuSearch)', formatNumber(record.gpuSeconds), formatNumber(record.speedup)],
            [`TypeScript loop (CpuSearch${extrapolated})`, formatNumber(record.cpuSeconds), ''],
          ],
        },
      ],
      notes: [
        `Above 1, the GPU is faster. ${record.identicalLists} of ${record.cpuQueries} timed queries listed the same indices on both engines.`,
      ],
      data: record,
    };
  },
};
