// Goal: a production install runs compiled JavaScript only: `keel` starts dist/, tsx (and esbuild with it)
// is a development dependency, and no runtime module imports it. Method: read package.json, bin/keel.js
// and every non-test source file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
};

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('runtime dependencies', () => {
  it('keeps tsx a development dependency', () => {
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
  });

  it('starts the compiled CLI from dist/', () => {
    const bin = readFileSync(join(root, pkg.bin.keel ?? ''), 'utf8');
    expect(bin).toMatch(/from '\.\.\/dist\/cli\/main\.js'/);
    expect(bin).not.toMatch(/tsx/);
  });

  it('imports tsx from no runtime module', () => {
    const importers = sourceFiles(join(root, 'src')).filter((file) =>
      /(from|import)\s*\(?\s*['"]tsx(\/[^'"]*)?['"]/.test(readFileSync(file, 'utf8')),
    );
    expect(importers).toEqual([]);
  });
});
