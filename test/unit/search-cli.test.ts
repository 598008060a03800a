import { describe, expect, it } from 'vitest';
import { searchCommand } from '../../src/cli/search.ts';
import type { SearchHost } from '../../src/cli/search-host.ts';
import { parseNpyFloat32, type Float32Matrix } from '../../src/cli/search-npy.ts';
import { referenceSearch } from '../../src/search/reference.ts';

/** Encodes a float32 matrix as a version 1.0 .npy file, header padded to 64 bytes as NumPy pads it. */
function npyBytes(rows: number, cols: number, data: Float32Array, descr = '<f4', major = 1): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const preamble = major === 1 ? 10 : 12;
  header += ' '.repeat(63 - ((preamble + header.length) % 64)) + '\n';
  const bytes = new Uint8Array(preamble + header.length + data.byteLength);
  bytes.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), major, 0]);
  const view = new DataView(bytes.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  bytes.set(Array.from(header, (c) => c.charCodeAt(0)), preamble);
  bytes.set(new Uint8Array(data.buffer), preamble + header.length);
  return bytes;
}

describe('parseNpyFloat32', () => {
  it('npy reads a 3x2 float32 array in versions 1 and 2', () => {
    const data = new Float32Array([1, 2, 3, 4, 5.5, -6]);
    for (const major of [1, 2]) {
      const matrix = parseNpyFloat32(npyBytes(3, 2, data, '<f4', major), 'W.npy');
      expect(matrix.rows).toBe(3);
      expect(matrix.cols).toBe(2);
      expect([...matrix.data]).toEqual([...data]);
    }
  });

  it('npy rejects another dtype, a wrong length and a missing magic', () => {
    expect(() => parseNpyFloat32(npyBytes(1, 1, new Float32Array(2), '<f8'), 'W.npy')).toThrow(/W.npy has dtype '<f8'/);
    expect(() => parseNpyFloat32(npyBytes(2, 2, new Float32Array(3)), 'W.npy')).toThrow(/2 × 2 float32 \(16 bytes of data\) but contains 12 bytes of data/);
    expect(() => parseNpyFloat32(new Uint8Array(16), 'W.npy')).toThrow(/W.npy is not a .npy file/);
  });
});

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
