/**
 * Build of the standalone `<cat-search>` module: one ES module with Lit and
 * the search engine inside, so a plain page needs a single
 * `<script type="module" src=".../cat-search.js">` and no build step.
 *
 * `npm run build:cat-search` writes dist/cat-search/: cat-search.js, the
 * package.json, README.md and custom-elements.json of src/cat-search, and the type
 * declarations under types/. That folder is the publishable package. The
 * `CAT_SEARCH_OUT_DIR` environment variable sets another folder for the
 * module (the e2e test builds into a temporary one).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Copies the package's package.json, README and custom elements manifest beside the module, so the output folder is the package. */
function packageFiles(): Plugin {
  return {
    name: 'cat-search-package-files',
    generateBundle() {
      for (const name of ['package.json', 'README.md', 'custom-elements.json']) {
        this.emitFile({ type: 'asset', fileName: name, source: readFileSync(here(`src/cat-search/${name}`), 'utf8') });
      }
    },
  };
}

export default defineConfig({
  // No public/ folder copy and no index.html: only the library goes out.
  publicDir: false,
  plugins: [packageFiles()],
  build: {
    outDir: process.env.CAT_SEARCH_OUT_DIR ?? here('dist/cat-search'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: here('src/cat-search/index.ts'),
      formats: ['es'],
      fileName: () => 'cat-search.js',
    },
  },
});
