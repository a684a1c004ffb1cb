#!/usr/bin/env node
// Entry for the `keel` command: runs the compiled CLI (built by `npm install` via the prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`keel: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
