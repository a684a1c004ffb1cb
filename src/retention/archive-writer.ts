// Writes archived rows as gzip-compressed JSON lines, one file per batch, durably (fsync, then an
// atomic rename) before the caller deletes them. Integers beyond 2^53 are written as strings.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { assert } from '../core/assert.js';
import type { Row } from '../storage/database.js';

export const ARCHIVE_FOLDER = 'archive';
const FILE_NAME_PATTERN = /^[a-z_]+$/;

export class ArchiveWriter {
  readonly #root: string;

  /** `dataDir`: Keel's data folder; archives go under `<dataDir>/archive/<table>/`. */
  constructor(dataDir: string) {
    this.#root = join(dataDir, ARCHIVE_FOLDER);
  }

  /** Writes one batch and returns the file's path once it is on disk. */
  write(input: { readonly table: string; readonly atMs: number; readonly rows: readonly Row[] }): string {
    assert(
      FILE_NAME_PATTERN.test(input.table),
      `archive table name must be a plain identifier, was ${input.table}`,
    );
    assert(input.rows.length > 0, 'an archive batch holds at least one row');
    const folder = join(this.#root, input.table);
    mkdirSync(folder, { recursive: true });
    const stamp = new Date(input.atMs).toISOString().replace(/[:.]/g, '-');
    const path = join(folder, `${input.table}-${stamp}-${process.pid}-${nextFileIndex()}.jsonl.gz`);
    const text = `${input.rows.map((row) => JSON.stringify(row, bigintAsString)).join('\n')}\n`;
    writeDurably(path, gzipSync(text));
    fsyncFolder(folder);
    return path;
  }
}

/** Reads an archive file back (tests, and anyone restoring rows by hand). */
export function readArchive(path: string): Row[] {
  return gunzipSync(readFileSync(path))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Row);
}

let fileIndex = 0;
const nextFileIndex = (): number => {
  fileIndex += 1;
  return fileIndex;
};

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function writeDurably(path: string, bytes: Buffer): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

function fsyncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
