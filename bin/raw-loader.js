// Node module hooks that give `import text from './file.wgsl?raw'` the
// meaning Vite gives it, so the same engine sources run under Node.
import { readFile } from 'node:fs/promises';

const RAW_QUERY = '?raw';

export async function resolve(specifier, context, nextResolve) {
  if (!specifier.endsWith(RAW_QUERY)) return nextResolve(specifier, context);
  const bare = specifier.slice(0, -RAW_QUERY.length);
  const url = new URL(bare, context.parentURL).href;
  return { url: url + RAW_QUERY, shortCircuit: true };
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith(RAW_QUERY)) return nextLoad(url, context);
  const text = await readFile(new URL(url.slice(0, -RAW_QUERY.length)), 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}
