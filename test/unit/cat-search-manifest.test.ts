/**
 * The hand-written custom elements manifest of `<cat-search>` against the
 * element's source: its attributes, events, parts and custom properties must
 * match what the element declares and renders.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const folder = join(import.meta.dirname, '..', '..', 'src', 'cat-search');
const source = readFileSync(join(folder, 'cat-search.ts'), 'utf8');
const styles = readFileSync(join(folder, 'styles.ts'), 'utf8');
const manifest = JSON.parse(readFileSync(join(folder, 'custom-elements.json'), 'utf8'));
const element = manifest.modules[0].declarations[0];

const names = (list: { name: string }[]) => list.map((entry) => entry.name).sort();
const tagged = (tag: string) => [...source.matchAll(new RegExp(`@${tag} (\\S+) - `, 'g'))].map((match) => match[1]).sort();

/** Public reactive properties: the entries of `static properties` without `state: true`. */
function declaredAttributes(): string[] {
  const block = /static override properties = \{([\s\S]*?)\};/.exec(source)?.[1] ?? '';
  return [...block.matchAll(/^\s*(\w+): \{([^}]*)\}/gm)].filter((match) => !match[2].includes('state: true')).map((match) => match[1]).sort();
}

describe('cat-search custom elements manifest', () => {
  it('names the element and its tag', () => {
    expect(element.tagName).toBe('cat-search');
    expect(element.name).toBe('CatSearch');
    expect(source).toContain("customElements.define('cat-search', CatSearch)");
  });

  it('lists the declared attributes', () => {
    expect(names(element.attributes)).toEqual(declaredAttributes());
  });

  it('lists the fired events', () => {
    const dispatched = [...source.matchAll(/new CustomEvent\('([\w-]+)'/g)].map((match) => match[1]);
    expect(names(element.events)).toEqual([...new Set(dispatched)].sort());
    expect(names(element.events)).toEqual(tagged('fires'));
  });

  it('lists the rendered parts', () => {
    const rendered = [...source.matchAll(/part="([\w-]+)"/g)].map((match) => match[1]);
    expect(names(element.cssParts)).toEqual([...new Set(rendered)].sort());
    expect(names(element.cssParts)).toEqual(tagged('csspart'));
  });

  it('lists the custom properties the styles read', () => {
    const read = [...styles.matchAll(/var\((--cat-search-[\w-]+)/g)].map((match) => match[1]);
    expect(names(element.cssProperties)).toEqual([...new Set(read)].sort());
    expect(names(element.cssProperties)).toEqual(tagged('cssprop'));
  });

  it('matches the package entry', () => {
    const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    expect(pkg.customElements).toBe('custom-elements.json');
    expect(pkg.files).toContain('custom-elements.json');
    expect(manifest.modules[0].path).toBe(pkg.exports['.'].default.replace(/^\.\//, ''));
  });
});
