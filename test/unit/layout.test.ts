import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The architecture as README's "Project layout" draws it: which folder of src/ may import which.
// An arrow that runs back up (the domain reading Slack, the service reading the store's
// internals, the real Volcengine client reaching into the sandbox) fails here, by file and line.
// Import circles are Biome's job (noImportCycles, in npm test's lint step).

const MAY_IMPORT: Record<string, readonly string[]> = {
  domain: [],
  service: ['domain'],
  volcengine: ['domain', 'service'],
  store: ['domain', 'service'],
  sandbox: ['domain', 'volcengine'],
  slack: ['domain', 'service', 'sandbox'],
  config: ['domain'],
  app: ['config', 'domain', 'service', 'slack', 'store', 'volcengine', 'sandbox'],
  doctor: ['app', 'config', 'domain', 'slack', 'store', 'volcengine', 'sandbox'],
  '(root)': ['app', 'config'],
};

const SRC = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const folderOf = (file: string) => {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? (parts[0] as string) : '(root)';
};

describe('src/ layout', () => {
  const files = sourceFiles(SRC);

  it('has a rule for every folder', () => {
    expect([...new Set(files.map(folderOf))].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it('keeps every import within the arrows of the architecture', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, index) => {
        const spec = /from '(\.{1,2}\/[^']+)'/.exec(line)?.[1];
        if (!spec) return;
        const to = folderOf(resolve(dirname(file), spec));
        if (to !== from && !MAY_IMPORT[from]?.includes(to)) {
          wrong.push(`${relative(SRC, file)}:${index + 1} (${from} -> ${to})`);
        }
      });
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the root to its entry point', () => {
    expect(files.filter((f) => folderOf(f) === '(root)').map((f) => relative(SRC, f))).toEqual([
      'main.ts',
    ]);
  });
});
