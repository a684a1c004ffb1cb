// Goal: openDatabase picks the backend from the URL and never shows a password in an error.
// Method: open SQLite targets in a temp folder; construct (without connecting) PostgreSQL targets.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/database.js';
import { openDatabase, redactDatabaseUrl } from '../../src/storage/open-database.js';

describe('openDatabase', () => {
  const folder = mkdtempSync(join(tmpdir(), 'keel-open-'));
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const open = (databaseUrl: string | undefined) => {
    const db = openDatabase({ databaseUrl, dataDir: join(folder, 'data') });
    opened.push(db);
    return db;
  };

  it('opens SQLite at <dataDir>/keel.db when no URL is set', async () => {
    const db = open(undefined);
    expect(db.dialect).toBe('sqlite');
    expect(await db.ping()).toBe(true);
    expect(existsSync(join(folder, 'data', 'keel.db'))).toBe(true);
  });

  it('opens SQLite for sqlite: URLs and plain file paths', async () => {
    expect(open(`sqlite:${join(folder, 'a.db')}`).dialect).toBe('sqlite');
    expect(open(join(folder, 'b.db')).dialect).toBe('sqlite');
    expect(existsSync(join(folder, 'a.db'))).toBe(true);
    expect(existsSync(join(folder, 'b.db'))).toBe(true);
  });

  it('chooses PostgreSQL for postgres:// and postgresql:// URLs', () => {
    expect(open('postgres://keel:secret@127.0.0.1:5432/keel').dialect).toBe('postgres');
    expect(open('postgresql://keel@127.0.0.1/keel').dialect).toBe('postgres');
  });

  it('rejects other schemes with the URL shown without its password', () => {
    const attempt = () => openDatabase({ databaseUrl: 'mysql://keel:hunter2@db:3306/keel', dataDir: folder });
    expect(attempt).toThrow('mysql://***@db:3306/keel');
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('redacts user:pass@ and password= parameters', () => {
    expect(redactDatabaseUrl('postgres://u:p%40ss@h:5432/d?sslmode=require&password=x')).toBe(
      'postgres://***@h:5432/d?sslmode=require&password=***',
    );
    expect(redactDatabaseUrl('postgres://h/d')).toBe('postgres://h/d');
  });
});
