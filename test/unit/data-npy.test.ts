import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpyFile, writeNpyFile } from '../../src/data/node.ts';
import { decodeNpy, encodeNpy } from '../../src/data/npy.ts';
import { concat, findPython, makeTempDir, runPython, titleUnless } from './data-fixtures.ts';

/** Builds a version 1.0 .npy file with any header text, padded as NumPy pads it. */
function npyWithHeader(dict: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const padding = (64 - ((10 + dict.length + 1) % 64)) % 64;
  const header = new TextEncoder().encode(`${dict}${' '.repeat(padding)}\n`);
  const preamble = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8);
  return concat([preamble, header, data]);
}

const header = (descr: string, shape: string, fortran = 'False') =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

describe('encodeNpy', () => {
  it('writes a version 1.0 header padded to 64 bytes', () => {
    const bytes = encodeNpy(new Float32Array(6), [2, 3]);
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = bytes[8] | (bytes[9] << 8);
    const dataOffset = 10 + headerLength;
    expect(dataOffset % 64).toBe(0);
    expect(bytes[dataOffset - 1]).toBe(0x0a);
    const text = new TextDecoder().decode(bytes.subarray(10, dataOffset));
    expect(text.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    expect(bytes.length).toBe(dataOffset + 6 * 4);
  });

  it('names each dtype', () => {
    const descrOf = (bytes: Uint8Array) => /'descr': '([^']+)'/.exec(new TextDecoder().decode(bytes.subarray(10, 80)))?.[1];
    expect(descrOf(encodeNpy(new Uint8Array(2), [1, 2]))).toBe('|u1');
    expect(descrOf(encodeNpy(new Float32Array(2), [1, 2]))).toBe('<f4');
    expect(descrOf(encodeNpy(new Float64Array(2), [1, 2]))).toBe('<f8');
  });

  it('rejects data that does not fit the shape', () => {
    expect(() => encodeNpy(new Uint8Array(5), [2, 3])).toThrow(/5 values, but shape \(2, 3\) needs 6/);
    expect(() => encodeNpy(new Uint8Array(1), [2, 3])).toThrow(/has 1 value, but shape \(2, 3\) needs 6/);
    expect(() => encodeNpy(new Uint8Array(0), [-1, 0])).toThrow(/rows -1 is invalid/);
  });
});

describe('decodeNpy', () => {
  it('round-trips each dtype', () => {
    const u8 = Uint8Array.from([0, 1, 127, 128, 254, 255]);
    const f32 = Float32Array.from([0, -0, 1.5, -2.25, 3.4e38, 1e-45, Infinity, -Infinity, NaN, 0.1, 7, 8]);
    const f64 = Float64Array.from([Math.PI, -Number.MAX_VALUE, Number.MIN_VALUE, NaN]);
    const cases = [
      { data: u8, shape: [2, 3] as [number, number], dtype: 'uint8' },
      { data: f32, shape: [3, 4] as [number, number], dtype: 'float32' },
      { data: f64, shape: [4, 1] as [number, number], dtype: 'float64' },
    ];
    for (const { data, shape, dtype } of cases) {
      const array = decodeNpy(encodeNpy(data, shape));
      expect(array.dtype).toBe(dtype);
      expect(array.shape).toEqual(shape);
      expect(array.data).toEqual(data);
      expect(array.data.constructor).toBe(data.constructor);
    }
  });

  it('reads an empty array and a view into a larger buffer', () => {
    expect(decodeNpy(encodeNpy(new Float32Array(0), [0, 5])).shape).toEqual([0, 5]);
    const file = encodeNpy(Uint8Array.from([1, 2, 3, 4]), [2, 2]);
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    expect([...decodeNpy(padded.subarray(3)).data]).toEqual([1, 2, 3, 4]);
  });

  it('reads Python 2 long integers and double quotes', () => {
    const array = decodeNpy(npyWithHeader(`{"descr": "|u1", "fortran_order": False, "shape": (1L, 2L)}`, Uint8Array.of(5, 6)));
    expect(array.shape).toEqual([1, 2]);
    expect([...array.data]).toEqual([5, 6]);
  });

  const rejections: [string, Uint8Array, RegExp][] = [
    ['big-endian float32', npyWithHeader(header('>f4', '(1, 1)'), new Uint8Array(4)), /dtype '>f4' is big-endian/],
    ['int32', npyWithHeader(header('<i4', '(1, 1)'), new Uint8Array(4)), /dtype '<i4' is not supported/],
    ['Fortran order', npyWithHeader(header('<f4', '(2, 2)', 'True'), new Uint8Array(16)), /Fortran \(column-major\) order/],
    ['1-D shape', npyWithHeader(header('|u1', '(5,)'), new Uint8Array(5)), /shape \(5,\); only 2-D/],
    ['3-D shape', npyWithHeader(header('|u1', '(2, 3, 4)'), new Uint8Array(24)), /shape \(2, 3, 4\); only 2-D/],
    ['0-D shape', npyWithHeader(header('|u1', '()'), new Uint8Array(1)), /shape \(\); only 2-D/],
    ['truncated data', npyWithHeader(header('<f8', '(2, 2)'), new Uint8Array(31)), /needs 32 bytes, found 31/],
    ['trailing bytes', npyWithHeader(header('|u1', '(2, 2)'), new Uint8Array(6)), /: 2 bytes follow the data/],
    ['trailing byte', npyWithHeader(header('|u1', '(2, 2)'), new Uint8Array(5)), /: 1 byte follows the data/],
    ['one byte short', npyWithHeader(header('|u1', '(1, 1)'), new Uint8Array(0)), /needs 1 byte, found 0/],
    [
      'structured dtype',
      npyWithHeader(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 1), }`),
      /'descr' is a list/,
    ],
    ['missing shape', npyWithHeader(`{'descr': '|u1', 'fortran_order': False}`), /'shape' is missing/],
    ['broken header', npyWithHeader(`{'descr': '|u1', 'fortran_order': Maybe}`), /expected a value at character/],
    ['bad magic', new TextEncoder().encode('PK\x03\x04 not numpy at all'), /not a NumPy .npy file/],
    ['version 9', Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 9, 0, 0, 0), /version 9.0 is not supported/],
  ];
  for (const [name, bytes, message] of rejections) {
    it(`rejects ${name}`, () => {
      expect(() => decodeNpy(bytes, 'weights.npy')).toThrow(message);
      expect(() => decodeNpy(bytes, 'weights.npy')).toThrow(/^weights\.npy: /);
    });
  }
});

const numpy = findPython('numpy');

describe.skipIf(!numpy)(titleUnless('NumPy interop', numpy, 'no python3 imports numpy; apt-get install python3-numpy'), () => {
  const temp = makeTempDir('npy');
  afterAll(() => temp.remove());

  const u8 = Uint8Array.from({ length: 12 }, (_, i) => (i * 23) % 256);
  const f32 = Float32Array.from({ length: 15 }, (_, i) => (i - 7) * 0.37);
  const f64 = Float64Array.from({ length: 8 }, (_, i) => Math.sqrt(i) * 1e-3);

  it('NumPy loads what we write', async () => {
    await writeNpyFile(join(temp.path, 'u8.npy'), u8, [3, 4]);
    await writeNpyFile(join(temp.path, 'f32.npy'), f32, [5, 3]);
    await writeNpyFile(join(temp.path, 'f64.npy'), f64, [2, 4]);
    const script = `
import json, sys
import numpy as np
out = {}
for name in ('u8', 'f32', 'f64'):
    a = np.load(sys.argv[1] + '/' + name + '.npy')
    out[name] = {'dtype': str(a.dtype), 'shape': list(a.shape), 'c': bool(a.flags.c_contiguous), 'values': a.ravel().tolist()}
print(json.dumps(out))
`;
    const loaded = JSON.parse(runPython(numpy as string, script, [temp.path]).toString());
    expect(loaded.u8).toEqual({ dtype: 'uint8', shape: [3, 4], c: true, values: [...u8] });
    expect(loaded.f32).toEqual({ dtype: 'float32', shape: [5, 3], c: true, values: [...f32] });
    expect(loaded.f64).toEqual({ dtype: 'float64', shape: [2, 4], c: true, values: [...f64] });
  });

  it('reads what NumPy writes', async () => {
    const script = `
import sys
import numpy as np
d = sys.argv[1]
np.save(d + '/np-u8.npy', (np.arange(12, dtype=np.uint8) * 23).reshape(3, 4))
np.save(d + '/np-f32.npy', ((np.arange(15) - 7) * 0.37).astype(np.float32).reshape(5, 3))
np.save(d + '/np-f64.npy', (np.sqrt(np.arange(8)) * 1e-3).reshape(2, 4))
with open(d + '/np-v2.npy', 'wb') as f:
    np.lib.format.write_array(f, np.ones((2, 3), dtype=np.float32), version=(2, 0))
np.save(d + '/np-fortran.npy', np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
np.save(d + '/np-big.npy', np.ones((2, 3), dtype='>f4'))
np.save(d + '/np-int.npy', np.ones((2, 3), dtype=np.int32))
np.save(d + '/np-1d.npy', np.ones(4, dtype=np.uint8))
`;
    runPython(numpy as string, script, [temp.path]);

    const readU8 = await readNpyFile(join(temp.path, 'np-u8.npy'));
    expect(readU8.dtype).toBe('uint8');
    expect(readU8.shape).toEqual([3, 4]);
    expect(readU8.data).toEqual(u8);
    const readF32 = await readNpyFile(join(temp.path, 'np-f32.npy'));
    expect(readF32.dtype).toBe('float32');
    expect(readF32.shape).toEqual([5, 3]);
    expect(readF32.data).toEqual(f32);
    const readF64 = await readNpyFile(join(temp.path, 'np-f64.npy'));
    expect(readF64.dtype).toBe('float64');
    expect(readF64.shape).toEqual([2, 4]);
    expect(readF64.data).toEqual(f64);
    const readV2 = await readNpyFile(join(temp.path, 'np-v2.npy'));
    expect(readV2.shape).toEqual([2, 3]);
    expect([...readV2.data]).toEqual([1, 1, 1, 1, 1, 1]);

    const fortran = join(temp.path, 'np-fortran.npy');
    await expect(readNpyFile(fortran)).rejects.toThrow(`${fortran}: the array is in Fortran (column-major) order`);
    await expect(readNpyFile(join(temp.path, 'np-big.npy'))).rejects.toThrow(/dtype '>f4' is big-endian/);
    await expect(readNpyFile(join(temp.path, 'np-int.npy'))).rejects.toThrow(/dtype '<i4' is not supported/);
    await expect(readNpyFile(join(temp.path, 'np-1d.npy'))).rejects.toThrow(/shape \(4,\); only 2-D/);
  });

  it('writes the header byte for byte as NumPy does', () => {
    const script = `
import io, sys
import numpy as np
f = io.BytesIO()
shape = (int(sys.argv[2]), int(sys.argv[3]))
np.lib.format.write_array_header_1_0(f, {'descr': sys.argv[1], 'fortran_order': False, 'shape': shape})
sys.stdout.buffer.write(f.getvalue())
`;
    const cases: [string, Uint8Array | Float32Array, [number, number]][] = [
      ['<f4', new Float32Array(6), [2, 3]],
      ['|u1', new Uint8Array(15747 * 4096), [15747, 4096]],
    ];
    for (const [descr, data, [rows, cols]] of cases) {
      const fromNumpy = runPython(numpy as string, script, [descr, String(rows), String(cols)]);
      const ours = encodeNpy(data, [rows, cols]).subarray(0, fromNumpy.length);
      expect(Buffer.from(ours).equals(fromNumpy), `${descr} (${rows}, ${cols})`).toBe(true);
    }
  });
});
