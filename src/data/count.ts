/** Formats a count with its noun in the singular or plural, for messages: "1 file", "2 files", "0 files". */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
