/**
 * Helpers of the static deployment tests: YAML, Compose interpolation, Dockerfile and .dockerignore
 * parsing, and a small kustomize renderer (used when `kubectl kustomize` is not installed, and checked
 * against it when it is).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_PARTIES } from '@accord/domain';

export const ROOT = resolve(__dirname, '..', '..');
export const APPS = ['api', 'projector', 'relay'] as const;
export type App = (typeof APPS)[number];
/** The states that run a witness of the transparency log: the members of the default parties file. */
export const MEMBER_STATES = DEFAULT_PARTIES.filter((party) => party.role === 'member').map(
  (party) => party.code,
);
/** The built-in parties file, for the parties files the deployments mount. */
export const DEFAULT_PARTIES_FILE = 'libs/domain/src/parties/ots-parties.json';

export type Json = Record<string, unknown>;
export type Env = Record<string, string>;

export const readRepoFile = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
export const repoPathExists = (path: string): boolean => existsSync(join(ROOT, path));

/** Every document of a YAML file (merge keys `<<` resolved, as Compose does); a syntax error fails. */
export function parseYamlFile(absolutePath: string): Json[] {
  const documents = parseAllDocuments(readFileSync(absolutePath, 'utf8'), { merge: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const parsed: Json[] = [];
  for (const document of list) {
    if (document.errors.length > 0)
      throw new Error(`${relative(ROOT, absolutePath)}: ${document.errors.map((e) => e.message).join('; ')}`);
    const value = document.toJS({ maxAliasCount: -1 }) as Json | null;
    if (value !== null && value !== undefined) parsed.push(value);
  }
  return parsed;
}

// ------------------------------------------------------------------------------------ configuration

/** The variable names libs/config/src/config.ts reads (`value('X')`, `integer('X', …)`, `oneOf`, `required`). */
export function configVariableNames(): Set<string> {
  const source = readRepoFile('libs/config/src/config.ts');
  const names = new Set<string>();
  for (const match of source.matchAll(/\b(?:value|integer|oneOf|required)\(\s*'([A-Z][A-Z0-9_]*)'/g))
    names.add(match[1]);
  return names;
}

/**
 * What deploy/README.md tells to create with `kubectl create secret generic NAME` or `kubectl create configmap NAME`:
 * by name, each key with the example value of `--from-literal=KEY=VALUE` or the path of `--from-file=KEY=PATH`.
 */
export function documentedCreations(kind: 'secret generic' | 'configmap'): Map<string, Map<string, string>> {
  const readme = readRepoFile('deploy/README.md').replace(/\\\n\s*/g, ' ');
  const value = `(?:'[^']*'|"[^"]*"|\\S+)`;
  const entry = `--from-(?:literal|file)=[A-Za-z0-9_.-]+=${value}`;
  const created = new Map<string, Map<string, string>>();
  for (const command of readme.matchAll(new RegExp(`create ${kind} ([a-z0-9.-]+)((?:\\s+${entry})+)`, 'g'))) {
    const keys = new Map<string, string>();
    for (const [, key, given] of command[2].matchAll(
      new RegExp(`--from-(?:literal|file)=([A-Za-z0-9_.-]+)=(${value})`, 'g'),
    ))
      keys.set(key, given.replace(/^['"]|['"]$/g, ''));
    created.set(command[1], keys);
  }
  return created;
}

export const documentedSecrets = () => documentedCreations('secret generic');

// ----------------------------------------------------------------------------------------- compose

/** Compose variable interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `${VAR:+alt}` (and without `:`). */
export function interpolate(text: string, env: Env): string {
  return text.replace(
    /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_whole, dollar: string, braced?: string, operator?: string, argument?: string, bare?: string) => {
      if (dollar === '$') return '$';
      const variable = (braced ?? bare) as string;
      const raw = env[variable];
      // With a colon, an empty value counts as missing too.
      const missing = operator?.startsWith(':') ? raw === undefined || raw === '' : raw === undefined;
      switch (operator) {
        case ':-':
        case '-':
          return missing ? (argument ?? '') : (raw as string);
        case ':?':
        case '?':
          if (missing) throw new Error(`required variable ${variable} is missing: ${argument}`);
          return raw as string;
        case ':+':
        case '+':
          return missing ? '' : (argument ?? '');
        default:
          return raw ?? '';
      }
    },
  );
}

/** Interpolates every string of a parsed Compose file (keys and values), as Compose does after parsing. */
export function interpolateDeep<T>(value: T, env: Env): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, env)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [interpolate(key, env), interpolateDeep(item, env)]),
    ) as T;
  return value;
}

/** A Compose `environment` (map or `KEY=VALUE` list) as strings. */
export function composeEnvironment(environment: unknown): Env {
  if (environment === undefined || environment === null) return {};
  if (Array.isArray(environment))
    return Object.fromEntries(
      environment.map((entry: string) => {
        const index = entry.indexOf('=');
        return index < 0 ? [entry, ''] : [entry.slice(0, index), entry.slice(index + 1)];
      }),
    );
  return Object.fromEntries(
    Object.entries(environment as Json).map(([key, value]) => [key, value === null ? '' : String(value)]),
  );
}

// -------------------------------------------------------------------------------------- Dockerfile

export interface DockerInstruction {
  keyword: string;
  args: string;
}
export interface DockerStage {
  image: string;
  name: string | null;
  instructions: DockerInstruction[];
}

/** Parses a Dockerfile into its global ARG defaults and its stages (line continuations joined, comments dropped). */
export function parseDockerfile(text: string): { args: Env; stages: DockerStage[] } {
  const lines: string[] = [];
  let pending = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trimEnd();
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const complete = (pending + line).trim();
    pending = '';
    if (complete) lines.push(complete);
  }
  const args: Env = {};
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const match = /^(\w+)\s+([\s\S]*)$/.exec(line);
    if (!match) throw new Error(`Unparsable Dockerfile line: ${line}`);
    const keyword = match[1].toUpperCase();
    const rest = match[2].trim();
    if (keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from) throw new Error(`Unparsable FROM: ${line}`);
      const image = from[1].replace(/\$\{?(\w+)\}?/g, (_, name: string) => args[name] ?? `\${${name}}`);
      stages.push({ image, name: from[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      if (keyword !== 'ARG') throw new Error(`Only ARG may precede the first FROM: ${line}`);
      const arg = /^(\w+)(?:=(.*))?$/.exec(rest);
      if (arg) args[arg[1]] = (arg[2] ?? '').replace(/^["']|["']$/g, '');
    } else {
      stages[stages.length - 1].instructions.push({ keyword, args: rest });
    }
  }
  return { args, stages };
}

/** The exec-form (JSON array) arguments of CMD / ENTRYPOINT / HEALTHCHECK CMD. */
export function execForm(args: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** The source paths of a `COPY`/`ADD` without `--from` (relative to the build context), else null. */
export function copySources(instruction: DockerInstruction): string[] | null {
  if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') return null;
  const words = instruction.args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  if (flags.some((flag) => flag.startsWith('--from='))) return null;
  const paths = words.filter((word) => !word.startsWith('--'));
  return paths.slice(0, -1);
}

/** Whether `.dockerignore` excludes a path of the build context (Go filepath.Match-like globs, `**`, `!` exceptions). */
export function dockerIgnored(path: string, dockerignore: string): boolean {
  const patterns = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const normalised = path.replace(/^\.\//, '').replace(/\/$/, '');
  const candidates = normalised.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = (negated ? pattern.slice(1) : pattern).replace(/^\/+/, '').replace(/\/+$/, '');
    const regex = new RegExp(
      '^' +
        glob
          .split('**')
          .map((part) =>
            part
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
          )
          .join('.*')
          .replace(/\.\*\//g, '(?:.*/)?') +
        '$',
    );
    // A pattern matching a directory excludes everything below it.
    if (candidates.some((candidate) => regex.test(candidate))) ignored = !negated;
  }
  return ignored;
}

/** Bare package names imported (at run time, not `import type`) by the TypeScript files under `dirs`. */
export function runtimeImports(dirs: string[], skip: (path: string) => boolean): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const visit = (absolute: string) => {
    if (statSync(absolute).isDirectory()) {
      for (const entry of readdirSync(absolute)) visit(join(absolute, entry));
      return;
    }
    const path = relative(ROOT, absolute);
    if (!path.endsWith('.ts') || path.endsWith('.d.ts') || skip(path)) return;
    const source = readFileSync(absolute, 'utf8');
    const specifiers = [
      ...[...source.matchAll(/^\s*import\s+(?!type\s)(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)].map(
        (m) => m[1],
      ),
      ...[...source.matchAll(/^\s*export\s+(?!type\s)[^;'"]*?\sfrom\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]),
      ...[...source.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]),
      ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]),
    ];
    for (const specifier of specifiers) {
      if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('@accord/'))
        continue;
      if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])) continue;
      const name = specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : specifier.split('/')[0];
      packages.set(name, [...(packages.get(name) ?? []), path]);
    }
  };
  for (const dir of dirs) if (existsSync(join(ROOT, dir))) visit(join(ROOT, dir));
  return packages;
}

// ----------------------------------------------------------------------------------------- images

/** `repo[:tag][@digest]` → parts; the tag is after the last colon of the last path segment. */
export function imageReference(image: string): { name: string; tag: string | null; digest: string | null } {
  const [withoutDigest, digest] = image.split('@');
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0
    ? { name: withoutDigest, tag: null, digest: digest ?? null }
    : { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest: digest ?? null };
}

/** Pinned: a digest, or a tag that starts with a version number (not `latest`, `lts`, `stable`…). */
export function isPinnedUpstreamImage(image: string): boolean {
  const { tag, digest } = imageReference(image);
  if (digest) return /^sha256:[a-f0-9]{64}$/.test(digest);
  return tag !== null && /^v?\d+(\.\d+)*([-.][\w.-]+)?$/.test(tag) && !/latest/i.test(tag);
}

// -------------------------------------------------------------------------------------- kustomize

export const KUSTOMIZE_DIRS = {
  base: 'deploy/k8s/base',
  production: 'deploy/k8s/overlays/production',
} as const;

export function readKustomization(dir: string): Json {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((name) => join(ROOT, dir, name))
    .find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`${dir} has no kustomization.yaml`);
  const [document] = parseYamlFile(file);
  return document;
}

const NAMESPACED_EXCEPTIONS = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
]);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
const HANDLED_KUSTOMIZATION_KEYS = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'images',
  'configMapGenerator',
  'patches',
]);

/** Strategic-merge list keys of the fields these manifests use. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
};

function strategicMerge(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target) || !patch.every((item) => item && typeof item === 'object'))
      return patch;
    const result = [...(target as Json[])];
    const added: Json[] = [];
    for (const item of patch as Json[]) {
      const index = result.findIndex((existing) => existing[key] === item[key]);
      if (item.$patch === 'delete') {
        if (index >= 0) result.splice(index, 1);
      } else if (index >= 0) result[index] = strategicMerge(result[index], item) as Json;
      else added.push(item);
    }
    // kustomize puts the items a patch adds before those of the target.
    return [...added, ...result];
  }
  if (patch && typeof patch === 'object' && target && typeof target === 'object' && !Array.isArray(target)) {
    const result: Json = { ...(target as Json) };
    for (const [name, value] of Object.entries(patch as Json)) {
      if (value === null) delete result[name];
      else result[name] = strategicMerge(result[name], value, name);
    }
    return result;
  }
  return patch;
}

/** Renders a kustomization with the subset of kustomize these manifests use; anything else throws. */
export function renderKustomization(dir: string): Json[] {
  const kustomization = readKustomization(dir);
  for (const key of Object.keys(kustomization))
    if (!HANDLED_KUSTOMIZATION_KEYS.has(key))
      throw new Error(`${dir}/kustomization.yaml: the built-in renderer does not handle "${key}"`);

  let resources: Json[] = [];
  for (const entry of (kustomization.resources as string[] | undefined) ?? []) {
    const path = join(dir, entry);
    if (!repoPathExists(path)) throw new Error(`${dir}: resource ${entry} does not exist`);
    resources.push(
      ...(statSync(join(ROOT, path)).isDirectory()
        ? renderKustomization(path)
        : parseYamlFile(join(ROOT, path))),
    );
  }

  for (const generator of (kustomization.configMapGenerator as Json[] | undefined) ?? []) {
    const unsupported = Object.keys(generator).filter(
      (key) => !['name', 'behavior', 'literals'].includes(key),
    );
    if (unsupported.length > 0) throw new Error(`configMapGenerator: unsupported ${unsupported.join(', ')}`);
    const data: Env = {};
    for (const literal of (generator.literals as string[] | undefined) ?? []) {
      const index = literal.indexOf('=');
      data[literal.slice(0, index)] = literal.slice(index + 1);
    }
    const behavior = (generator.behavior as string | undefined) ?? 'create';
    const existing = resources.find((r) => r.kind === 'ConfigMap' && name(r) === generator.name);
    if (behavior === 'create') {
      if (existing) throw new Error(`ConfigMap ${generator.name} exists already`);
      resources.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
    } else {
      if (!existing)
        throw new Error(`configMapGenerator ${behavior}: no ConfigMap ${generator.name} in the base`);
      existing.data = behavior === 'merge' ? { ...(existing.data as Env), ...data } : data;
    }
  }

  for (const entry of (kustomization.patches as Json[] | undefined) ?? []) {
    if (entry.target || !entry.path) throw new Error(`${dir}: only file patches without target are handled`);
    for (const patch of parseYamlFile(join(ROOT, dir, entry.path as string))) {
      const index = resources.findIndex((r) => r.kind === patch.kind && name(r) === name(patch));
      if (index < 0) throw new Error(`${dir}/${entry.path}: no ${patch.kind} ${name(patch)} to patch`);
      resources[index] = strategicMerge(resources[index], patch) as Json;
    }
  }

  for (const image of (kustomization.images as Json[] | undefined) ?? []) {
    resources = resources.map((resource) => {
      if (!POD_TEMPLATE_KINDS.has(resource.kind as string)) return resource;
      const copy = structuredClone(resource);
      for (const container of podContainers(copy)) {
        const reference = imageReference(container.image as string);
        if (reference.name !== image.name) continue;
        const newName = (image.newName as string | undefined) ?? reference.name;
        const tag = (image.newTag as string | undefined) ?? reference.tag;
        container.image = image.digest ? `${newName}@${image.digest}` : tag ? `${newName}:${tag}` : newName;
      }
      return copy;
    });
  }

  if (kustomization.namespace)
    resources = resources.map((resource) =>
      NAMESPACED_EXCEPTIONS.has(resource.kind as string)
        ? resource
        : { ...resource, metadata: { ...(resource.metadata as Json), namespace: kustomization.namespace } },
    );
  return resources;
}

/** `kubectl kustomize DIR`, or null when kubectl is not installed. */
export function kubectlKustomize(dir: string): Json[] | null {
  const result = spawnSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8', timeout: 120_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  if (result.status !== 0)
    throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr || result.error}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as Json | null)
    .filter((document): document is Json => document !== null);
}

/** The generated ConfigMap names carry a content hash (`accord-config-5f8kd9m2hb`); drop it to compare. */
export function withoutNameHashes(resources: Json[]): Json[] {
  const strip = (value: string) => value.replace(/-[a-z0-9]{10}$/, '');
  const hashed = new Set(resources.filter((r) => r.kind === 'ConfigMap').map((r) => name(r)));
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') return hashed.has(value) ? strip(value) : value;
    if (Array.isArray(value)) return value.map(visit);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item)]));
    return value;
  };
  return resources.map((resource) => visit(resource) as Json);
}

/** The rendered manifests: kubectl's when available, the built-in renderer's otherwise. */
export function render(dir: string): { resources: Json[]; renderer: 'kubectl' | 'built-in' } {
  const viaKubectl = kubectlKustomize(dir);
  return viaKubectl
    ? { resources: withoutNameHashes(viaKubectl), renderer: 'kubectl' }
    : { resources: renderKustomization(dir), renderer: 'built-in' };
}

export const name = (resource: Json): string => (resource.metadata as Json | undefined)?.name as string;

export function podSpec(resource: Json): Json {
  return ((resource.spec as Json).template as Json).spec as Json;
}

export function podContainers(resource: Json): Json[] {
  const spec = podSpec(resource);
  return [...((spec.containers as Json[]) ?? []), ...((spec.initContainers as Json[]) ?? [])];
}

/** A container's environment, resolved: envFrom ConfigMaps, then env values; Secret values from `secrets`. */
export function resolveContainerEnv(
  container: Json,
  resources: Json[],
  secrets: Map<string, Map<string, string>>,
): Env {
  const env: Env = {};
  for (const source of (container.envFrom as Json[] | undefined) ?? []) {
    const ref = source.configMapRef as Json | undefined;
    if (!ref) throw new Error('only envFrom.configMapRef is used');
    const configMap = resources.find((r) => r.kind === 'ConfigMap' && name(r) === ref.name);
    if (!configMap) throw new Error(`envFrom: no ConfigMap ${ref.name}`);
    Object.assign(env, configMap.data as Env);
  }
  for (const variable of (container.env as Json[] | undefined) ?? []) {
    const valueFrom = variable.valueFrom as Json | undefined;
    if (!valueFrom) {
      env[variable.name as string] = String(variable.value ?? '');
      continue;
    }
    const secretRef = valueFrom.secretKeyRef as Json | undefined;
    const configMapRef = valueFrom.configMapKeyRef as Json | undefined;
    if (secretRef) {
      const value = secrets.get(secretRef.name as string)?.get(secretRef.key as string);
      if (value === undefined) throw new Error(`no value for secret ${secretRef.name}/${secretRef.key}`);
      env[variable.name as string] = value;
    } else if (configMapRef) {
      const configMap = resources.find((r) => r.kind === 'ConfigMap' && name(r) === configMapRef.name);
      env[variable.name as string] = ((configMap?.data as Env | undefined) ?? {})[configMapRef.key as string];
    } else throw new Error(`${variable.name}: unsupported valueFrom`);
  }
  return env;
}

/** A container port given by number or by name. */
export function containerPortNumber(container: Json, port: unknown): number | null {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  const named = ((container.ports as Json[] | undefined) ?? []).find((p) => p.name === port);
  return named ? (named.containerPort as number) : null;
}
