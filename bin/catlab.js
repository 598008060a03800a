#!/usr/bin/env node
// The `catlab` command: the CLI in src/cli, run from its TypeScript sources.
import { runTypeScript } from './run-ts.js';

await runTypeScript(new URL('../src/cli/main.ts', import.meta.url).href);
