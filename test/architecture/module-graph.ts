// The import graph of src/: which files the running app reaches from its entry. Static imports,
// re-exports and dynamic import('…') with a literal specifier count; type-only imports count too (the
// file is part of what the app needs to be read and built).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** `from '…'`, `import '…'` and `import('…')` with a relative specifier. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every .ts file under `root`, tests (*.test.ts) left out, as paths relative to the repository. */
export function sourceFiles(repository: string, root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
        found.push(relative(repository, path));
    }
  };
  walk(join(repository, root));
  return found.sort();
}

/** The relative files one file imports, resolved to .ts paths relative to the repository. */
export function importsOf(repository: string, file: string): string[] {
  const text = readFileSync(join(repository, file), 'utf8');
  const imports: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? '';
    const target = resolve(repository, dirname(file), specifier.replace(/\.js$/, '.ts'));
    imports.push(relative(repository, target));
  }
  return imports;
}

/** Files reached from the entries by following imports (entries included). */
export function reachable(repository: string, entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const target of importsOf(repository, file)) if (!seen.has(target)) pending.push(target);
  }
  return seen;
}
