import { readFileSync } from 'node:fs';

// The Dockerfile as the builder reads it: instructions with their continuation lines joined and
// comments dropped, split into stages, with the global ARG defaults substituted in FROM. Only the
// syntax the repo's Dockerfile uses; anything else fails loudly rather than being misread.

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG lines before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function readDockerfile(path = new URL('../../Dockerfile', import.meta.url)): Dockerfile {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) return;
    if (pending === '') start = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      return;
    }
    pending += line;
    const match = /^([A-Za-z]+)\s+([\s\S]+)$/.exec(pending);
    if (!match) throw new Error(`Dockerfile line ${start}: cannot read "${pending}"`);
    instructions.push({
      keyword: (match[1] as string).toUpperCase(),
      args: (match[2] as string).trim(),
      line: start,
    });
    pending = '';
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`Dockerfile line ${instruction.line}: FROM image [AS name]`);
      const from = (match[1] as string).replace(
        /\$\{(\w+)\}/g,
        (_, name: string) => globalArgs[name] ?? '',
      );
      stages.push({ name: match[2] ?? String(stages.length), from, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') {
        throw new Error(`Dockerfile line ${instruction.line}: only ARG may come before FROM`);
      }
      const [name, value = ''] = instruction.args.split('=', 2) as [string, string?];
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

export function stage(file: Dockerfile, name: string): Stage {
  const found = file.stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage "${name}" in the Dockerfile`);
  return found;
}

export function all(s: Stage, keyword: string): Instruction[] {
  return s.instructions.filter((i) => i.keyword === keyword);
}

/** The one (or last, as the builder takes it) instruction of a kind in a stage. */
export function last(s: Stage, keyword: string): Instruction {
  const found = all(s, keyword).at(-1);
  if (!found) throw new Error(`no ${keyword} in stage "${s.name}"`);
  return found;
}

/** `["node", "dist/main.js"]`: the exec form, never a shell line. */
export function execForm(args: string): string[] {
  const value = JSON.parse(args) as unknown;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`expected the exec form (a JSON array of strings), got ${args}`);
  }
  return value as string[];
}

/** `--interval=30s … CMD [...]` into its options and its command. */
export function healthcheck(args: string): { options: Record<string, string>; command: string[] } {
  const match = /^((?:--\S+\s+)*)CMD\s+(\[[\s\S]*\])$/.exec(args);
  if (!match) throw new Error(`HEALTHCHECK [options] CMD [exec form], got ${args}`);
  const options = Object.fromEntries(
    (match[1] as string)
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((option) => option.replace(/^--/, '').split('=', 2) as [string, string]),
  );
  return { options, command: execForm(match[2] as string) };
}

/** `KEY=value` pairs of ENV, ARG or LABEL (values may be double-quoted). */
export function pairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const raw = match[2] as string;
    out[match[1] as string] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return out;
}
