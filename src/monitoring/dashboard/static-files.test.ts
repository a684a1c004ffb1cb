// Goal: only plain files of known types from the static folder are ever served, and a request name
// that could mean another place is refused. Method: a temporary folder with a symlink and odd names.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultStaticDirectory, StaticFiles } from './static-files.js';

let root: string;
let folder: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'keel-static-'));
  folder = join(root, 'static');
  mkdirSync(folder);
  writeFileSync(join(folder, 'index.html'), '<p>hi</p>');
  writeFileSync(join(folder, 'app.js'), 'void 0;');
  writeFileSync(join(folder, 'notes.txt'), 'not an asset type');
  writeFileSync(join(folder, '.env'), 'SECRET=1');
  writeFileSync(join(root, 'outside.js'), 'outside');
  symlinkSync(join(root, 'outside.js'), join(folder, 'link.js'));
  mkdirSync(join(folder, 'sub.js'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('StaticFiles', () => {
  it('loads plain files of known types only: no symlink, dotfile, folder or unknown type', () => {
    expect(new StaticFiles(folder).names.sort()).toEqual(['app.js', 'index.html']);
  });

  it('answers a known name with its content type', () => {
    const found = new StaticFiles(folder).lookup('app.js');
    expect(found.kind === 'found' && found.file.contentType).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    '../outside.js',
    '..%2foutside.js',
    '%2e%2e%2foutside.js',
    '%2E%2E/outside.js',
    '/etc/passwd',
    '%2fetc%2fpasswd',
    '..\\outside.js',
    'app.js%00.html',
    'app.js\0',
    '.env',
    '%',
    '%E0%A4%A',
    '',
    'sub.js/',
  ])('refuses %j as invalid', (name) => {
    expect(new StaticFiles(folder).lookup(name).kind).toBe('invalid');
  });

  it('answers an unknown plain name as missing', () => {
    expect(new StaticFiles(folder).lookup('nothing.js').kind).toBe('missing');
    expect(new StaticFiles(folder).lookup('link.js').kind).toBe('missing');
  });

  it('refuses a folder without index.html', () => {
    rmSync(join(folder, 'index.html'));
    expect(() => new StaticFiles(folder)).toThrow(/has no index.html/);
  });

  it('finds the shipped static folder with the dashboard files', () => {
    expect(new StaticFiles(defaultStaticDirectory()).names.sort()).toEqual([
      'app.js',
      'charts.js',
      'dom.js',
      'index.html',
      'login.html',
      'style.css',
      'trading.js',
      'views.js',
    ]);
  });

  it('serves a vendor file from outside the folder under its plain name, and refuses a clash', () => {
    const vendor = fileURLToPath(new URL('../../../node_modules/uplot/dist/uPlot.min.css', import.meta.url));
    const files = new StaticFiles(defaultStaticDirectory(), [{ name: 'uPlot.min.css', path: vendor }]);
    const found = files.lookup('uPlot.min.css');
    expect(found.kind === 'found' && found.file.contentType).toBe('text/css; charset=utf-8');
    expect(() => new StaticFiles(defaultStaticDirectory(), [{ name: 'app.js', path: vendor }])).toThrow(
      /shadows/,
    );
    expect(() => new StaticFiles(defaultStaticDirectory(), [{ name: '../x.js', path: vendor }])).toThrow(
      /plain/,
    );
  });
});
