/**
 * Parser for the header of a .npy file: a Python dict literal with the keys
 * 'descr', 'fortran_order' and 'shape', as `repr` writes it. Only the Python
 * syntax such headers use is accepted: strings in either quote, integers,
 * True and False, tuples and dicts.
 */

/** The three fields of a .npy header. */
export interface NpyHeader {
  /** The dtype as a NumPy type string, such as '<f4'. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** A header that does not parse, or lacks a field. */
export class NpyHeaderError extends Error {
  override name = 'NpyHeaderError';
}

type PythonValue = string | number | boolean | PythonValue[] | Map<string, PythonValue>;

/** Parses the header text and checks the types of its three fields. */
export function parseHeaderDict(text: string): NpyHeader {
  const parser = new LiteralParser(text);
  const value = parser.parseValue();
  parser.expectEnd();
  if (!(value instanceof Map)) throw new NpyHeaderError('the header is not a dict');

  const descr = value.get('descr');
  const fortranOrder = value.get('fortran_order');
  const shape = value.get('shape');
  if (typeof descr !== 'string') {
    // A structured dtype's descr is a list of fields, which catlab does not read.
    throw new NpyHeaderError(`'descr' is ${describe(descr)}, not a type string such as '<f4'`);
  }
  if (typeof fortranOrder !== 'boolean') {
    throw new NpyHeaderError(`'fortran_order' is ${describe(fortranOrder)}, not True or False`);
  }
  if (!Array.isArray(shape) || !shape.every((size) => typeof size === 'number')) {
    throw new NpyHeaderError(`'shape' is ${describe(shape)}, not a tuple of integers`);
  }
  return { descr, fortranOrder, shape: shape as number[] };
}

function describe(value: PythonValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value instanceof Map) return 'a dict';
  if (Array.isArray(value)) return 'a list or tuple';
  return JSON.stringify(value);
}

class LiteralParser {
  private readonly text: string;
  private position = 0;

  constructor(text: string) {
    this.text = text;
  }

  parseValue(): PythonValue {
    this.skipSpace();
    const char = this.text[this.position];
    if (char === '{') return this.parseDict();
    if (char === '(' || char === '[') return this.parseSequence(char === '(' ? ')' : ']');
    if (char === "'" || char === '"') return this.parseString();
    if (char !== undefined && /[0-9]/.test(char)) return this.parseInteger();
    if (this.text.startsWith('True', this.position)) return this.advance(4, true);
    if (this.text.startsWith('False', this.position)) return this.advance(5, false);
    throw this.error('expected a value');
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.position < this.text.length) throw this.error('unexpected text after the dict');
  }

  private parseDict(): Map<string, PythonValue> {
    const dict = new Map<string, PythonValue>();
    this.position++;
    for (;;) {
      this.skipSpace();
      if (this.consume('}')) return dict;
      const key = this.parseString();
      this.skipSpace();
      if (!this.consume(':')) throw this.error("expected ':' after a dict key");
      dict.set(key, this.parseValue());
      this.skipSpace();
      if (!this.consume(',') && this.text[this.position] !== '}') throw this.error("expected ',' or '}'");
    }
  }

  private parseSequence(close: string): PythonValue[] {
    const items: PythonValue[] = [];
    this.position++;
    for (;;) {
      this.skipSpace();
      if (this.consume(close)) return items;
      items.push(this.parseValue());
      this.skipSpace();
      if (!this.consume(',') && this.text[this.position] !== close) throw this.error(`expected ',' or '${close}'`);
    }
  }

  private parseString(): string {
    const quote = this.text[this.position];
    if (quote !== "'" && quote !== '"') throw this.error('expected a quoted string');
    const end = this.text.indexOf(quote, this.position + 1);
    if (end < 0) throw this.error('unterminated string');
    const value = this.text.slice(this.position + 1, end);
    if (value.includes('\\')) throw this.error('escape sequences in strings are not supported');
    this.position = end + 1;
    return value;
  }

  private parseInteger(): number {
    const match = /^[0-9]+/.exec(this.text.slice(this.position)) as RegExpExecArray;
    this.position += match[0].length;
    // Python 2 wrote long integers with an L suffix, as in (3L, 4L).
    if (this.text[this.position] === 'L') this.position++;
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) throw this.error(`integer ${match[0]} is too large`);
    return value;
  }

  private advance<T>(length: number, value: T): T {
    this.position += length;
    return value;
  }

  private consume(char: string): boolean {
    if (this.text[this.position] !== char) return false;
    this.position++;
    return true;
  }

  private skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position])) this.position++;
  }

  private error(problem: string): NpyHeaderError {
    return new NpyHeaderError(`${problem} at character ${this.position}`);
  }
}
