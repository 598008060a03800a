/**
 * Plain-text tables for the terminal.
 */

export interface Table {
  columns: string[];
  rows: string[][];
  /** Indices of the columns to align left. The others hold numbers and align right. */
  leftAligned?: number[];
}

export function formatTable({ columns, rows, leftAligned = [0] }: Table): string {
  const widths = columns.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (leftAligned.includes(column) ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(columns), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Formats `value` with `digits` significant digits, without exponent notation for everyday magnitudes. */
export function formatNumber(value: number | null, digits = 3): string {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e7)) return value.toExponential(digits - 1);
  const decimals = value === 0 ? 0 : Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return value.toFixed(decimals);
}
