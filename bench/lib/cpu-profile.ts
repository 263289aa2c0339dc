import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time by function. */
  functions: { name: string; where: string; ms: number; percent: number }[];
  /** Self time by package (node_modules/<name>), project folder, node internals or V8 (GC, idle, program). */
  groups: { group: string; ms: number; percent: number }[];
  /** Inclusive time of a few frames worth knowing (e.g. the fsync inside commits), when present. */
  inclusive: { name: string; ms: number; percent: number }[];
}

function where(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const root = url.indexOf('/dist/');
  if (root >= 0) return url.slice(root + 1);
  return url.replace(/^file:\/\//, '').replace(/^.*\/work\/[^/]+\//, '');
}

function groupOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node internals';
  const m = /\/dist\/((?:apps|libs)\/[^/]+)/.exec(url) ?? /\/((?:apps|libs)\/[^/]+)\//.exec(url);
  return m ? m[1] : where(url);
}

/** Summarises a V8 .cpuprofile (as `node --cpu-prof` writes it) by self time. */
export function summariseProfile(file: string, top = 25, inclusiveOf: string[] = []): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) =>
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)),
  );
  let total = 0;
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const groups = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id) as ProfileNode;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const key = `${name}@${url}:${lineNumber}`;
    const entry = functions.get(key) ?? { name, where: url ? `${where(url)}:${lineNumber + 1}` : '', us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const group = groupOf(url, name);
    groups.set(group, (groups.get(group) ?? 0) + us);
    total += us;
    if (inclusiveOf.length > 0) {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = (byId.get(at) as ProfileNode).callFrame.functionName;
        for (const wanted of inclusiveOf)
          if (frame === wanted && !seen.has(wanted)) {
            seen.add(wanted);
            inclusive.set(wanted, (inclusive.get(wanted) ?? 0) + us);
          }
      }
    }
  }
  const pct = (us: number) => Math.round((1000 * us) / total) / 10;
  return {
    file,
    totalMs: Math.round(total / 1000),
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: Math.round(f.us / 1000), percent: pct(f.us) })),
    groups: [...groups]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([group, us]) => ({ group, ms: Math.round(us / 1000), percent: pct(us) })),
    inclusive: [...inclusive].map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: pct(us) })),
  };
}

/**
 * The latest profile of each thread of a process (`CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile`),
 * the main thread's first: the embedded server's projector runs on a thread of its own.
 */
export function latestProfiles(dir: string): { thread: number; file: string }[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort();
  if (files.length === 0) throw new Error(`No .cpuprofile in ${dir}`);
  const byThread = new Map<number, string>();
  for (const name of files) byThread.set(Number(name.split('.').at(-3)), join(dir, name));
  return [...byThread].sort(([a], [b]) => a - b).map(([thread, file]) => ({ thread, file }));
}

export function renderSummary(title: string, summary: ProfileSummary): string {
  const lines = [
    `### ${title}`,
    '',
    `${summary.totalMs} ms of samples (${summary.file})`,
    '',
    '| self % | self ms | by package / folder |',
    '|---:|---:|---|',
    ...summary.groups.slice(0, 15).map((g) => `| ${g.percent} | ${g.ms} | ${g.group} |`),
    '',
    '| self % | self ms | function | where |',
    '|---:|---:|---|---|',
    ...summary.functions.map((f) => `| ${f.percent} | ${f.ms} | ${f.name} | ${f.where} |`),
  ];
  if (summary.inclusive.length > 0)
    lines.push(
      '',
      '| inclusive % | ms | frame |',
      '|---:|---:|---|',
      ...summary.inclusive.map((f) => `| ${f.percent} | ${f.ms} | ${f.name} |`),
    );
  return `${lines.join('\n')}\n`;
}
