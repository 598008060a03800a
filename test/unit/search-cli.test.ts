import { describe, expect, it } from 'vitest';
import { searchCommand } from '../../src/cli/search.ts';
import type { Float32Matrix, SearchHost } from '../../src/cli/search-host.ts';
import { referenceSearch } from '../../src/search/reference.ts';

/** Builds a model of 6 samples, rank 3 and 2 × 2 images, with row 4 all zeros. */
function fakeModel() {
  const W = new Float32Array([1, 0, 0, 0.9, 0.1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0.5, 0.5, 0.5]);
  const H = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1]);
  const files = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg', 'f.jpg'];
  return { W, H, files };
}

function fakeHost(options: { image?: Uint8Array; manifest?: unknown } = {}) {
  const model = fakeModel();
  const output: string[] = [];
  const warnings: string[] = [];
  const matrices: Record<string, Float32Matrix> = {
    'model/W.npy': { rows: 6, cols: 3, data: model.W },
    'model/H.npy': { rows: 3, cols: 4, data: model.H },
  };
  const host: SearchHost = {
    readMatrix: async (path) => {
      const matrix = matrices[path];
      if (!matrix) throw new Error(`ENOENT: ${path}`);
      return matrix;
    },
    readText: async () => JSON.stringify(options.manifest ?? { files: model.files }),
    loadGrayImage: async (_path, width, height) => {
      expect([width, height]).toEqual([2, 2]);
      return options.image ?? new Uint8Array(4);
    },
    createDevice: () => Promise.reject(new Error('no GPU in unit tests')),
    print: (line) => output.push(line),
    warn: (line) => warnings.push(line),
  };
  return { host, output, warnings, model };
}

describe('catlab search', () => {
  it('search --query 0 prints the k nearest as JSON lines', async () => {
    const { host, output, warnings, model } = fakeHost();
    await searchCommand(['--model', 'model', '--query', '0', '-k', '2'], host);
    const expected = referenceSearch(model.W, 6, 3, [0], { k: 2 })[0].nearest;
    expect(output.map((line) => JSON.parse(line))).toEqual(
      expected.map(({ index, similarity }) => ({ index, file: model.files[index], similarity })),
    );
    expect(output[0]).toMatch(/^\{"index":1,"file":"b.jpg","similarity":0\.99/);
    expect(warnings).toEqual(['catlab search: left out 1 row of W with all zeros: 4']);
  });

  it('search --dissimilar prints the least similar first', async () => {
    const { host, output } = fakeHost();
    await searchCommand(['--model', 'model', '--query', '0', '--k', '3', '--dissimilar'], host);
    expect(output.map((line) => JSON.parse(line).index)).toEqual([2, 3, 5]);
  });

  it('search with an image projects it onto H', async () => {
    // The last two pixels lit: the image is row 2 of H, so w = (0, 0, c) and row 3 of W scores 1.
    const { host, output } = fakeHost({ image: new Uint8Array([0, 0, 255, 255]) });
    await searchCommand(['--model', 'model', '--query', 'cat.png', '-k', '1'], host);
    expect(JSON.parse(output[0])).toEqual({ index: 3, file: 'd.jpg', similarity: expect.closeTo(1, 6) });
  });

  it('search rejects a zero-row query, a row outside W and k 0', async () => {
    const { host } = fakeHost();
    await expect(searchCommand(['--model', 'model', '--query', '4'], host)).rejects.toThrow(/row 4 of W is all zeros/);
    await expect(searchCommand(['--model', 'model', '--query', '6'], host)).rejects.toThrow(/rows run from 0 to 5/);
    await expect(searchCommand(['--model', 'model', '--query', '1', '-k', '0'], host)).rejects.toThrow(/-k 0 is invalid/);
    await expect(searchCommand(['--query', '1'], host)).rejects.toThrow(/--model DIR is missing/);
  });

  it('search rejects a black image and a manifest that does not match W', async () => {
    const { host } = fakeHost();
    await expect(searchCommand(['--model', 'model', '--query', 'black.png'], host)).rejects.toThrow(
      /the projection of black.png is all zeros/,
    );
    const short = fakeHost({ manifest: { files: ['a.jpg'] } }).host;
    await expect(searchCommand(['--model', 'model', '--query', '1'], short)).rejects.toThrow(/lists 1 files, but W.npy has 6 rows/);
  });

  it('search --help prints the usage', async () => {
    const { host, output } = fakeHost();
    await searchCommand(['--help'], host);
    expect(output[0]).toMatch(/^usage: catlab search --model DIR --query INDEX\|IMAGE/);
  });
});
