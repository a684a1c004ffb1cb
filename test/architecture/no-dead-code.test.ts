// Goal (issue 17): no dead code. Every module (file) under src/ is imported, directly or through
// others, by the running app's entry, or is named below as test support. Method: follow the relative
// imports (static, re-exports, dynamic with a literal path, type-only) from the entries.
//
// Entries: src/cli/main.ts (bin/keel.js runs its build, dist/cli/main.js), and src/cli/run.ts (the same
// CLI from source: `node --import tsx src/cli/run.ts`, used by the process tests). src/app is reached
// through `keel start`.
//
// Test support is a src/ file that exists so tests can drive the real components: it is listed in
// TEST_SUPPORT with the reason, and nothing else is. Tests (*.test.ts) and declaration files (*.d.ts,
// which nothing imports) are not modules of the app and are not checked.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reachable, sourceFiles } from './module-graph.js';

const REPOSITORY = new URL('../..', import.meta.url).pathname;
const ENTRIES = ['src/cli/main.ts', 'src/cli/run.ts'];

/** src/ files for tests, and why. */
const TEST_SUPPORT: Readonly<Record<string, string>> = {
  'src/exchange/simulator/inject-transport.ts':
    'an in-process Transport to the simulator with injectable faults: chaos, cluster and verifier harnesses',
  'src/exchange/enhanced-nobitex-adapter/index.ts':
    "the adapter's public surface, as the exchange tests and their harness import it",
};

describe('no dead code', () => {
  it('reaches every src/ module from the entries, except named test support', () => {
    const reached = reachable(REPOSITORY, ENTRIES);
    const unreached = sourceFiles(REPOSITORY, 'src').filter(
      (file) => !file.endsWith('.d.ts') && !reached.has(file),
    );
    const dead = unreached.filter((file) => !(file in TEST_SUPPORT));
    expect(
      dead,
      'modules nothing in the app imports: use them, delete them, or name them as test support',
    ).toEqual([]);
  });

  it('names as test support or allowed-for-now only files the app does not reach', () => {
    const reached = reachable(REPOSITORY, ENTRIES);
    const listed = [...Object.keys(TEST_SUPPORT)];
    expect(listed.filter((file) => reached.has(file))).toEqual([]);
    const files = new Set(sourceFiles(REPOSITORY, 'src'));
    expect(listed.filter((file) => !files.has(file))).toEqual([]);
  });

  it('follows every kind of import and misses a module nothing imports (the check can fail)', () => {
    const root = mkdtempSync(join(tmpdir(), 'keel-graph-'));
    const write = (path: string, text: string) => {
      mkdirSync(join(root, dirname(path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('src/main.ts', "import type { A } from './a/a.js';\nexport * from './b.js';\nimport './c.js';\n");
    write('src/a/a.ts', "export type A = 1;\nexport const load = () => import('../d.js');\n");
    write('src/b.ts', "import {\n  x,\n} from './e.js';\nexport const b = x;\n");
    for (const file of ['src/c.ts', 'src/d.ts', 'src/e.ts', 'src/dead.ts'])
      write(file, 'export const x = 1;\n');
    write('src/e.test.ts', "import { dead } from './dead.js';\n");
    const reached = reachable(root, ['src/main.ts']);
    expect(sourceFiles(root, 'src').filter((file) => !reached.has(file))).toEqual(['src/dead.ts']);
  });
});
