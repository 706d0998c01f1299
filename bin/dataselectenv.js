#!/usr/bin/env node
// Entry point for `npx dataselectenv`. Inside the repository the TypeScript sources run directly
// (Node 24 strips types); an installed package runs the compiled JavaScript in dist/.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
const [major] = process.versions.node.split('.').map(Number);
if (existsSync(source) && major < 24) {
  console.error(`dataselectenv needs Node.js 24 or newer (this is ${process.version}); run it through npx or npm scripts, which use the pinned runtime.`);
  process.exit(1);
}
await import(existsSync(source) ? source.href : compiled.href);
