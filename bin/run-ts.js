#!/usr/bin/env node
// Runs a TypeScript entry point of catlab under Node: tsx compiles the
// TypeScript and raw-loader.js resolves the `?raw` shader imports.
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerTsx } from 'tsx/esm/api';

export async function runTypeScript(entry) {
  registerTsx();
  register('./raw-loader.js', import.meta.url);
  await import(entry);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const entry = process.argv[2];
  if (!entry) {
    console.error('usage: node bin/run-ts.js FILE.ts [ARGS...]');
    process.exit(2);
  }
  // argv[1] becomes the entry, as if Node ran it directly, so an entry can
  // tell it is the main module by comparing it with its import.meta.url.
  const entryPath = resolve(entry);
  process.argv.splice(1, 2, entryPath);
  await runTypeScript(pathToFileURL(entryPath).href);
}
