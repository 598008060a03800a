import { describe, expect, it } from 'vitest';
import { buildBundle, bundleFiles, checkManifest, readBundle, reconstruct, type GrayPixels } from '../../src/search/bundle.ts';

function smallInput() {
  // Three 4×2 images, rank 2; row 1 of W is all zero.
  const pixels = Uint8Array.from({ length: 24 }, (_, i) => (i * 10) % 256);
  return {
    dataset: 'test',
    files: ['1.jpg', '<img src=x onerror=alert(1)>.jpg', '3.jpg'],
    imageWidth: 4,
    imageHeight: 2,
    rank: 2,
    W: Float32Array.from([3, 4, 0, 0, 1, 0]),
    H: Float32Array.from({ length: 16 }, (_, i) => i / 16),
    pixels,
    copies: [[0, 2]],
  };
}

describe('search bundle', () => {
  it('normalises rows of W and keeps their lengths', () => {
    const bundle = buildBundle(smallInput());
    expect(Array.from(bundle.normalizedW)).toEqual(Array.from(Float32Array.from([0.6, 0.8, 0, 0, 1, 0])));
    expect(Array.from(bundle.norms)).toEqual([5, 0, 1]);
  });

  it('lays thumbnails out in a grid', () => {
    const bundle = buildBundle(smallInput());
    expect(bundle.manifest.sprite).toEqual({ columns: 2, tileWidth: 4, tileHeight: 2 });
    expect([bundle.sprite.width, bundle.sprite.height]).toEqual([8, 4]);
    // Sample 1 is the second tile of the first row.
    expect(Array.from(bundle.sprite.data.subarray(4, 8))).toEqual([80, 90, 100, 110]);
  });

  it('round-trips through its files', async () => {
    const bundle = buildBundle(smallInput());
    const files = bundleFiles(bundle);
    const read = await readBundle(
      async (name) => {
        const bytes = files.get(name);
        if (name === 'sprite.png') return new Uint8Array(0);
        if (!bytes) throw new Error(`missing ${name}`);
        return bytes;
      },
      async (): Promise<GrayPixels> => bundle.sprite,
    );
    expect(read.manifest).toEqual(bundle.manifest);
    expect(read.normalizedW).toEqual(bundle.normalizedW);
    expect(read.H).toEqual(bundle.H);
  });

  it('rebuilds a reconstruction from unit rows and lengths', () => {
    const input = smallInput();
    const bundle = buildBundle(input);
    const pixels = reconstruct(bundle, 0);
    const expected = Array.from({ length: 8 }, (_, f) => Math.round(Math.min(1, 3 * input.H[f] + 4 * input.H[8 + f]) * 255));
    expect(Array.from(pixels)).toEqual(expected);
  });

  it('rejects a manifest that does not match', () => {
    const manifest = buildBundle(smallInput()).manifest;
    expect(() => checkManifest({ ...manifest, format: 'other' })).toThrow(/not a catlab search bundle/);
    expect(() => checkManifest({ ...manifest, version: 9 })).toThrow(/bundle version 9/);
    expect(() => checkManifest({ ...manifest, rank: 0 })).toThrow(/rank is 0/);
    expect(() => checkManifest({ ...manifest, files: ['a'] })).toThrow(/files must be 3 strings/);
    expect(() => checkManifest({ ...manifest, copies: [[7]] })).toThrow(/copies must be lists of sample indices/);
  });
});
