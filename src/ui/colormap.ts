/**
 * Colormaps as 256-entry RGB lookup tables, built by linear interpolation
 * between anchor colours.
 */

export type ColormapName = 'viridis' | 'bone' | 'gray';

export const COLORMAP_NAMES: readonly ColormapName[] = ['viridis', 'bone', 'gray'];

/** Anchors at equal steps from 0 to 1: matplotlib's viridis sampled at nine points. */
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

/**
 * matplotlib's bone as piecewise-linear channels (position, value): gray
 * with a blue tint in the shadows, which suits photographs of faces.
 */
const BONE: Record<'red' | 'green' | 'blue', [number, number][]> = {
  red: [[0, 0], [0.746032, 0.652778], [1, 1]],
  green: [[0, 0], [0.365079, 0.319444], [0.746032, 0.777778], [1, 1]],
  blue: [[0, 0], [0.365079, 0.444444], [1, 1]],
};

function interpolate(points: [number, number][], x: number): number {
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i];
    const [x0, y0] = points[i - 1];
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return points[points.length - 1][1];
}

function hexChannels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

const tables = new Map<ColormapName, Uint8Array>();

/** Returns the lookup table of `name`: 256 × [r, g, b] bytes, index 0 for the value 0. */
export function colormapTable(name: ColormapName): Uint8Array {
  const known = tables.get(name);
  if (known) return known;

  const table = new Uint8Array(256 * 3);
  const anchors = VIRIDIS.map(hexChannels);
  for (let i = 0; i < 256; i++) {
    const x = i / 255;
    let rgb: [number, number, number];
    if (name === 'gray') {
      rgb = [i, i, i];
    } else if (name === 'bone') {
      rgb = [BONE.red, BONE.green, BONE.blue].map((channel) => Math.round(interpolate(channel, x) * 255)) as [number, number, number];
    } else {
      const position = x * (anchors.length - 1);
      const lower = Math.min(Math.floor(position), anchors.length - 2);
      const t = position - lower;
      rgb = [0, 1, 2].map((c) => Math.round(anchors[lower][c] * (1 - t) + anchors[lower + 1][c] * t)) as [number, number, number];
    }
    table.set(rgb, i * 3);
  }
  tables.set(name, table);
  return table;
}

export function isColormapName(value: string): value is ColormapName {
  return (COLORMAP_NAMES as readonly string[]).includes(value);
}
