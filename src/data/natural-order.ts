/**
 * Natural order for file names: `2.jpg` before `10.jpg`.
 *
 * Names are compared path segment by path segment (split at `/`), so the
 * files of one folder stay together. Within a segment, runs of ASCII digits
 * compare by numeric value and other characters by UTF-16 code unit, with no
 * locale and no case folding, so the order is the same on every machine.
 * Names that tie this way (`01.jpg` and `1.jpg`) fall back to a plain string
 * comparison, so the order is total and deterministic.
 */
export function compareNatural(a: string, b: string): number {
  const segmentsA = a.split('/');
  const segmentsB = b.split('/');
  const shared = Math.min(segmentsA.length, segmentsB.length);
  for (let i = 0; i < shared; i++) {
    const order = compareSegments(segmentsA[i], segmentsB[i]);
    if (order !== 0) return order;
  }
  if (segmentsA.length !== segmentsB.length) return segmentsA.length - segmentsB.length;
  return compareCodeUnits(a, b);
}

/** Sorts a copy of `items` in natural order of `nameOf(item)`. */
export function sortNatural<T>(items: Iterable<T>, nameOf: (item: T) => string): T[] {
  return [...items].sort((x, y) => compareNatural(nameOf(x), nameOf(y)));
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Returns the end of the run of ASCII digits that starts at `start`. */
function digitRunEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  return end;
}

function compareSegments(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const codeA = a.charCodeAt(i);
    const codeB = b.charCodeAt(j);
    if (isDigit(codeA) && isDigit(codeB)) {
      const endA = digitRunEnd(a, i);
      const endB = digitRunEnd(b, j);
      const order = compareDigitRuns(a.slice(i, endA), b.slice(j, endB));
      if (order !== 0) return order;
      i = endA;
      j = endB;
    } else if (codeA !== codeB) {
      return codeA - codeB;
    } else {
      i++;
      j++;
    }
  }
  // The segment with text left over sorts after the one that ran out.
  return (a.length - i) - (b.length - j);
}

/** Compares two digit runs by value without converting them to numbers, so any length works. */
function compareDigitRuns(a: string, b: string): number {
  const trimmedA = a.replace(/^0+/, '');
  const trimmedB = b.replace(/^0+/, '');
  if (trimmedA.length !== trimmedB.length) return trimmedA.length - trimmedB.length;
  return compareCodeUnits(trimmedA, trimmedB);
}

function compareCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
