// The dashboard's static files, read once into memory at start. A request names a file in this table
// or gets nothing: no request ever reaches the file system, so no path can escape the folder.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
}

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** The folder holds a handful of small files; a large one is a mistake, not an asset. */
export const STATIC_FILE_BYTES_MAX = 2_097_152;
export const STATIC_FILES_MAX = 64;

export type LookupResult =
  | { readonly kind: 'found'; readonly file: StaticFile }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'missing' };

/** Names are one plain segment: letters, digits, dot, dash, underscore; no leading dot. */
const NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** A file served from outside the folder (a library in node_modules), under a plain name. */
export interface VendorFile {
  readonly name: string;
  /** Absolute path, resolved by the caller (e.g. from node_modules). */
  readonly path: string;
}

export class StaticFiles {
  readonly #files: ReadonlyMap<string, StaticFile>;

  constructor(directory: string, vendorFiles: readonly VendorFile[] = []) {
    const files = loadFolder(directory);
    for (const vendor of vendorFiles) {
      const contentType = CONTENT_TYPES[extname(vendor.name).toLowerCase()];
      if (contentType === undefined || !NAME_PATTERN.test(vendor.name))
        throw new RangeError(`vendor file name ${vendor.name} is not a plain .js/.css name`);
      if (files.has(vendor.name)) throw new RangeError(`vendor file ${vendor.name} shadows a static file`);
      files.set(vendor.name, {
        name: vendor.name,
        contentType,
        body: readSmallFile(vendor.path, vendor.name),
      });
    }
    if (files.size > STATIC_FILES_MAX)
      throw new RangeError(`static folder holds over ${STATIC_FILES_MAX} files`);
    this.#files = files;
  }

  get names(): string[] {
    return [...this.#files.keys()];
  }

  /** `requested` is the raw path after the static prefix, still percent-encoded. */
  lookup(requested: string): LookupResult {
    let name: string;
    try {
      name = decodeURIComponent(requested);
    } catch {
      return { kind: 'invalid' };
    }
    if (name.includes('\0') || name.includes('/') || name.includes('\\') || name.includes('..'))
      return { kind: 'invalid' };
    if (!NAME_PATTERN.test(name)) return { kind: 'invalid' };
    const file = this.#files.get(name);
    return file === undefined ? { kind: 'missing' } : { kind: 'found', file };
  }
}

/** `static/` beside this module; from a build in dist/, the one in src/ (tsc copies no assets). */
export function defaultStaticDirectory(): string {
  const candidates = [
    new URL('./static/', import.meta.url),
    new URL('../../../src/monitoring/dashboard/static/', import.meta.url),
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(join(path, 'index.html'))) return path;
  }
  throw new RangeError(`dashboard static folder not found, looked in ${candidates.map(String).join(', ')}`);
}

function readSmallFile(path: string, name: string): Buffer {
  // lstat: a symlink could point anywhere, so it is never served.
  const stats = lstatSync(path);
  if (!stats.isFile()) throw new RangeError(`static file ${name} is not a plain file`);
  if (stats.size > STATIC_FILE_BYTES_MAX)
    throw new RangeError(`static file ${name} is ${stats.size} bytes, over ${STATIC_FILE_BYTES_MAX}`);
  return readFileSync(path);
}

function loadFolder(directory: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(directory).sort()) {
    const contentType = CONTENT_TYPES[extname(name).toLowerCase()];
    if (contentType === undefined || !NAME_PATTERN.test(name)) continue;
    const path = join(directory, name);
    if (!lstatSync(path).isFile()) continue; // a symlink could point anywhere: never served
    files.set(name, { name, contentType, body: readSmallFile(path, name) });
    if (files.size > STATIC_FILES_MAX)
      throw new RangeError(`static folder holds over ${STATIC_FILES_MAX} files`);
  }
  if (!files.has('index.html')) throw new RangeError(`static folder ${directory} has no index.html`);
  return files;
}
