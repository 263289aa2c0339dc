import fc from 'fast-check';

/**
 * Request arbitraries derived from Accord's OpenAPI document (GET /docs-json): for every operation, values valid
 * by its schemas (with domain hints so that some requests get through to the rules), then mutated — missing and
 * unknown fields, wrong types, huge strings and arrays, odd unicode, huge and negative numbers, deep nesting,
 * prototype-polluting keys — and sent with bad JSON, wrong content types, odd headers, paths and tokens.
 */

export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  nullable?: boolean;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  example?: unknown;
  default?: unknown;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  path: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
  components: { schemas: Record<string, Schema> };
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      ...operation,
      method: method.toUpperCase(),
      path,
    })),
  );
}

export function resolve(schema: Schema, document: OpenApiDocument): Schema {
  let resolved = schema;
  while (resolved.$ref) {
    const name = resolved.$ref.replace('#/components/schemas/', '');
    resolved = { ...document.components.schemas[name], ...withoutRef(resolved) };
  }
  if (resolved.allOf && resolved.allOf.length > 0) {
    const merged = resolved.allOf.reduce<Schema>((all, part) => ({ ...all, ...resolve(part, document) }), {});
    const { allOf: _allOf, ...rest } = resolved;
    resolved = { ...merged, ...rest };
  }
  return resolved;
}

function withoutRef(schema: Schema): Schema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

export const MEMBERS = ['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'];

/** Strings a fuzzer should always try: odd unicode, control characters, encodings, injections. */
export const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'KAZ\u0000',
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\udc00\ud800',
  '\u202eKAZ',
  'ZAK\u202e',
  '\u200b',
  'K\u200dA\u200cZ',
  '\ufeffKAZ',
  '\u2028\u2029',
  'İstanbul',
  'ı',
  'Ｋ Ａ Ｚ',
  'e\u0301\u0301\u0301\u0301',
  '🇰🇿🇹🇷',
  '𝕂𝔸ℤ',
  'مرحبا',
  '\u0085\u00a0',
  '\r\n\t',
  '../../etc/passwd',
  '%00',
  '%ED%A0%80',
  "' OR 1=1 --",
  '"; DROP TABLE events; --',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '\\u0000',
  'null',
  'undefined',
  'NaN',
  '__proto__',
  'constructor',
  'KAZ ',
  'kaz',
];

/** Keys that have broken JavaScript servers before. */
export const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  '__lookupGetter__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'then',
  'role',
  'actor',
  'principal',
  'admin',
  '',
  ' ',
  '\u0000',
  '\ud800',
  'state ',
  'STATE',
  'proposalversion',
];

/** Raw numeric literals that JSON.stringify cannot produce. */
export const ODD_NUMBER_LITERALS = [
  '1e999',
  '-1e999',
  '1e-999',
  '123456789012345678901234567890',
  '-0',
  '0.000000000000000000001',
  '1.7976931348623157e309',
  '9007199254740993',
  '-9007199254740993',
  '1E2',
  '1.0',
  '-1',
  '0',
  '2147483648',
  '4294967296',
];

const futureInstant = fc
  .integer({ min: 1, max: 3 * 365 * 24 * 60 })
  .map((minutes) => new Date(Date.now() + minutes * 60_000).toISOString());

/** Values that make sense to Accord's rules for well-known names, so that some mutated requests reach them. */
export function hintFor(name: string, context: FuzzContext): fc.Arbitrary<unknown> | null {
  switch (name) {
    case 'state':
    case 'proposingState':
    case 'participant':
    case 'pendingFor':
      return fc.constantFrom(...MEMBERS, ...MEMBERS, 'HUN', 'TKM', 'XXX');
    case 'participatingStates':
      return fc
        .subarray(MEMBERS, { minLength: 1 })
        .map((states) => (states.includes('KAZ') ? states : ['KAZ', ...states]));
    case 'signOffDeadline':
    case 'at':
      return fc.oneof(
        futureInstant,
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      );
    case 'proposalVersion':
      return fc.integer({ min: 1, max: 3 });
    case 'initiativeId':
    case 'id':
      return fc.oneof(fc.constantFrom(...context.ids), fc.uuid());
    case 'amount':
      return fc.constantFrom('1500000.00', '1000', '0', '0.5', '99999999999999.99', '250000.00');
    case 'currency':
      return fc.constantFrom('USD', 'EUR', 'KZT', 'TRY', 'XXX', 'ABC');
    case 'minApprovals':
      return fc.integer({ min: 1, max: 6 });
    case 'minRevision':
      // Mostly revisions the read model has: one not reached answers 503 projection-lagging after 5 s.
      return fc
        .oneof(
          { weight: 30, arbitrary: fc.integer({ min: 0, max: 2 }) },
          { weight: 1, arbitrary: fc.integer({ min: 3, max: 50 }) },
        )
        .map(String);
    case 'atRevision':
      return fc.integer({ min: 0, max: 12 }).map(String);
    case 'limit':
      return fc.integer({ min: 1, max: 200 }).map(String);
    case 'cursor':
      return fc.constantFrom(...context.cursors, 'eyJiZWZvcmUiOjF9');
    default:
      return null;
  }
}

export interface FuzzContext {
  /** Initiatives that exist, in every status. */
  ids: string[];
  cursors: string[];
}

/** A value valid by the schema (and, where a hint exists, plausible to the rules). */
export function validArbitrary(
  schema: Schema,
  document: OpenApiDocument,
  context: FuzzContext,
  name = '',
  depth = 0,
): fc.Arbitrary<unknown> {
  const hint = name ? hintFor(name, context) : null;
  const s = resolve(schema, document);
  const fromSchema = schemaArbitrary(s, document, context, depth);
  return hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: fromSchema }) : fromSchema;
}

function schemaArbitrary(
  s: Schema,
  document: OpenApiDocument,
  context: FuzzContext,
  depth: number,
): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'string': {
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'date-time') return futureInstant;
      if (s.pattern) {
        const examples = s.example !== undefined ? [fc.constant(s.example)] : [];
        return fc.oneof(
          ...examples,
          fc.stringMatching(new RegExp(s.pattern)).filter((text) => text.length <= 300),
        );
      }
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 80) });
    }
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: Math.min(s.maximum ?? 1000, 1_000_000) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = s.items ? validArbitrary(s.items, document, context, '', depth + 1) : fc.string();
      const constraints = { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 5, 6) };
      return s.uniqueItems
        ? fc.uniqueArray(items, { ...constraints, selector: (value) => JSON.stringify(value) })
        : fc.array(items, constraints);
    }
    case 'object':
    default: {
      if (!s.properties || depth > 4) return fc.constant({});
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, property] of Object.entries(s.properties))
        record[key] = validArbitrary(property, document, context, key, depth + 1);
      return fc.record(record, { requiredKeys: s.required ?? [] });
    }
  }
}

/** Any JSON value, odd ones first. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      0,
      -1,
      -0,
      1.5,
      2 ** 31,
      2 ** 53 + 2,
      -(2 ** 53) - 2,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      1e21,
      -1e21,
      true,
      false,
      null,
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() }, // NaN and ±Infinity become null in JSON
  { weight: 2, arbitrary: fc.constantFrom([], {}, [null], [[]], { '': '' }, ['KAZ', 'KAZ'], [1, 'a', null]) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

export type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'add-key'; at: number; key: string; value: unknown }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'huge-string'; at: number; size: number; char: string }
  | { kind: 'huge-array'; at: number; size: number }
  | { kind: 'deep'; at: number; depth: number; arrays: boolean };

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('add-key' as const),
      at: fc.nat(),
      key: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...ODD_KEYS) },
        { weight: 1, arbitrary: fc.string() },
      ),
      value: oddValue,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: oddValue }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge-string' as const),
      at: fc.nat(),
      size: fc.constantFrom(201, 2001, 5001, 20_000, 60_000, 70_000),
      char: fc.constantFrom('x', 'é', '\u0000', '\ud83d\ude00', '\u202e', '"'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge-array' as const),
      at: fc.nat(),
      size: fc.constantFrom(101, 1000, 10_000, 20_000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      at: fc.nat(),
      depth: fc.constantFrom(10, 100, 1000, 5000, 15_000),
      arrays: fc.boolean(),
    }),
  },
);

type Path = (string | number)[];

function nodesOf(value: unknown, path: Path = [], found: { path: Path; value: unknown }[] = []) {
  found.push({ path, value });
  if (Array.isArray(value)) value.forEach((item, index) => nodesOf(item, [...path, index], found));
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) nodesOf(item, [...path, key], found);
  return found;
}

function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies the mutations to a copy of `value`; answers the copy and what was done. */
export function applyMutations(
  value: unknown,
  mutations: readonly Mutation[],
): { value: unknown; labels: string[] } {
  let root: unknown = JSON.parse(JSON.stringify(value ?? null));
  const labels: string[] = [];
  for (const mutation of mutations) {
    const nodes = nodesOf(root);
    const node = nodes[mutation.at % nodes.length];
    const parent =
      node.path.length > 0
        ? nodes.find((candidate) => samePath(candidate.path, node.path.slice(0, -1)))
        : null;
    const put = (replacement: unknown) => {
      if (!parent) root = replacement;
      else
        setOwn(
          parent.value as Record<string | number, unknown>,
          node.path[node.path.length - 1],
          replacement,
        );
    };
    const where = node.path.join('.') || '(body)';
    switch (mutation.kind) {
      case 'delete':
        if (parent && !Array.isArray(parent.value)) {
          delete (parent.value as Record<string, unknown>)[node.path[node.path.length - 1] as string];
          labels.push(`missing ${where}`);
        } else if (parent && Array.isArray(parent.value)) {
          parent.value.splice(node.path[node.path.length - 1] as number, 1);
          labels.push(`item removed at ${where}`);
        }
        break;
      case 'add-key': {
        const target =
          node.value && typeof node.value === 'object' && !Array.isArray(node.value) ? node : nodes[0];
        if (target.value && typeof target.value === 'object' && !Array.isArray(target.value)) {
          setOwn(target.value as Record<string, unknown>, mutation.key, copy(mutation.value));
          labels.push(`unknown key ${JSON.stringify(mutation.key)} at ${target.path.join('.') || '(body)'}`);
        } else {
          const object = {};
          setOwn(object, mutation.key, copy(mutation.value));
          put(object);
          labels.push(`object with ${JSON.stringify(mutation.key)} for ${where}`);
        }
        break;
      }
      case 'replace':
        put(copy(mutation.value));
        labels.push(`${where} := ${JSON.stringify(mutation.value)?.slice(0, 40)}`);
        break;
      case 'huge-string':
        put(mutation.char.repeat(mutation.size));
        labels.push(`${where} := ${mutation.size} × ${JSON.stringify(mutation.char)}`);
        break;
      case 'huge-array':
        put(Array.from({ length: mutation.size }, (_, index) => MEMBERS[index % MEMBERS.length]));
        labels.push(`${where} := array of ${mutation.size}`);
        break;
      case 'deep':
        // A marker that serialise() turns into the nested text (a JS value that deep would not stringify).
        put(`__DEEP_${mutation.depth}_${mutation.arrays ? 1 : 0}__`);
        labels.push(`${where} nested ${mutation.depth} deep`);
        break;
    }
  }
  return { value: root, labels };
}

/** A fresh copy (generated constants are shared instances: putting one twice would make a cycle). */
function copy(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}

function samePath(left: Path, right: Path): boolean {
  return left.length === right.length && left.every((part, index) => part === right[index]);
}

export type RawMutation =
  | { kind: 'none' }
  | { kind: 'truncate'; at: number }
  | { kind: 'number-literal'; at: number; literal: string }
  | { kind: 'duplicate-key'; key: string; literal: string }
  | { kind: 'bom' }
  | { kind: 'trailing'; text: string }
  | { kind: 'invalid-utf8'; at: number }
  | { kind: 'replace-body'; text: string }
  | { kind: 'deep-raw'; depth: number; arrays: boolean };

export const rawMutationArbitrary: fc.Arbitrary<RawMutation> = fc.oneof(
  { weight: 30, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('number-literal' as const),
      at: fc.nat(),
      literal: fc.constantFrom(...ODD_NUMBER_LITERALS, 'NaN', 'Infinity', '0x10', '01', '+1', '.5'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('duplicate-key' as const),
      key: fc.constantFrom(
        'state',
        'decision',
        'proposalVersion',
        'title',
        'reason',
        '__proto__',
        'constructor',
      ),
      literal: fc.constantFrom(
        '"AZE"',
        '"reject"',
        '2',
        '{"admin":true}',
        'null',
        '{"__proto__":{"admin":true}}',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('trailing' as const),
      text: fc.constantFrom(' ', ',', '}', ']', '{}', 'garbage', '\u0000', '\n\n'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalid-utf8' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('replace-body' as const),
      text: fc.oneof(
        fc.constantFrom(
          '',
          'null',
          'true',
          '0',
          '"text"',
          '[]',
          '[{}]',
          '{',
          '}',
          '<xml/>',
          'a=b&c=d',
          '{"a":',
          '{"__proto__":{"admin":true}}',
          '{"constructor":{"prototype":{"admin":true}}}',
        ),
        fc.string({ unit: 'binary', maxLength: 60 }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deep-raw' as const),
      depth: fc.constantFrom(1000, 5000, 20_000, 32_000),
      arrays: fc.boolean(),
    }),
  },
);

/** Serialises the body and applies a raw mutation: what JSON.stringify cannot produce. */
export function serialise(value: unknown, raw: RawMutation): { body: Buffer; label: string | null } {
  const text = (JSON.stringify(value) ?? 'null').replace(
    /"__DEEP_(\d+)_([01])__"/g,
    (_, depth: string, arrays: string) => {
      const [open, close] = arrays === '1' ? ['[', ']'] : ['{"a":', '}'];
      return `${open.repeat(Number(depth))}1${close.repeat(Number(depth))}`;
    },
  );
  switch (raw.kind) {
    case 'none':
      return { body: Buffer.from(text, 'utf8'), label: null };
    case 'truncate': {
      const at = text.length > 1 ? 1 + (raw.at % (text.length - 1)) : 0;
      return { body: Buffer.from(text.slice(0, at), 'utf8'), label: `truncated at ${at}` };
    }
    case 'number-literal': {
      const numbers = [...text.matchAll(/(?<=[:,[])(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"[^"\\]*")(?=[,}\]])/g)];
      if (numbers.length === 0) return { body: Buffer.from(text, 'utf8'), label: null };
      const match = numbers[raw.at % numbers.length];
      const at = match.index ?? 0;
      return {
        body: Buffer.from(`${text.slice(0, at)}${raw.literal}${text.slice(at + match[0].length)}`, 'utf8'),
        label: `raw number ${raw.literal} for ${match[0].slice(0, 20)}`,
      };
    }
    case 'duplicate-key':
      return text.startsWith('{') && text.length > 2
        ? {
            body: Buffer.from(`{"${raw.key}":${raw.literal},${text.slice(1)}`, 'utf8'),
            label: `duplicate key ${raw.key}`,
          }
        : { body: Buffer.from(text, 'utf8'), label: null };
    case 'bom':
      return { body: Buffer.from(`\ufeff${text}`, 'utf8'), label: 'byte order mark' };
    case 'trailing':
      return {
        body: Buffer.from(`${text}${raw.text}`, 'utf8'),
        label: `trailing ${JSON.stringify(raw.text)}`,
      };
    case 'invalid-utf8': {
      const bytes = Buffer.from(text, 'utf8');
      const at = raw.at % Math.max(1, bytes.length);
      return {
        body: Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]),
          bytes.subarray(at),
        ]),
        label: 'invalid UTF-8 bytes',
      };
    }
    case 'replace-body':
      return { body: Buffer.from(raw.text, 'utf8'), label: `body ${JSON.stringify(raw.text).slice(0, 40)}` };
    case 'deep-raw': {
      const [open, close] = raw.arrays ? ['[', ']'] : ['{"a":', '}'];
      return {
        body: Buffer.from(`${open.repeat(raw.depth)}1${close.repeat(raw.depth)}`, 'utf8'),
        label: `raw nesting ${raw.depth} deep`,
      };
    }
  }
}

/** Header values Node's HTTP client accepts (latin1, no control characters but tab). */
export const headerSafe = (text: string) =>
  [...text].filter((char) => /^[\t\x20-\x7e\x80-\xff]$/.test(char)).join('');

export const idempotencyKeyArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.uuid().map((uuid) => `fz-${uuid}`) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        'k'.repeat(129),
        'k'.repeat(128),
        'has space',
        'é',
        '\t',
        'a\u00ff',
        '"quoted"',
      ),
      fc.string({ maxLength: 140 }).map(headerSafe),
    ),
  },
);

export const ifMatchArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 14, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 12 }).map((revision) => `"${revision}"`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '*',
      'W/"1"',
      '"-1"',
      '"1e3"',
      '"999999999999999999999"',
      '"1", "2"',
      'yesterday',
      '"0x1"',
      '" 1"',
      '1',
    ),
  },
);

export const contentTypeArbitrary: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 30, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      null,
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/json; charset=iso-8859-1',
      'application/problem+json',
      'application/merge-patch+json',
      'APPLICATION/JSON',
      'application/json;;;',
      'application/octet-stream',
      '*/*',
      'application/json, text/plain',
      'text/json',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map(headerSafe) },
);

/** A path parameter: an initiative that exists, a UUID that does not, or anything but a UUID. */
export function pathIdArbitrary(context: FuzzContext): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...context.ids) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.uuid().map((uuid) => uuid.toUpperCase()) },
    {
      weight: 2,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 60 })
        .map((text) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, 'x'))),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '%',
        '%ZZ',
        '%00',
        '%ED%A0%80',
        '%C0%AE%C0%AE',
        '..',
        '%2e%2e',
        '.',
        'a'.repeat(101),
        'a'.repeat(5000),
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        '6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b1',
        '6f1c1f5e8a634f4e9d570d5c6a9e2b11',
        '{6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b11}',
        '__proto__',
        'constructor',
        '%20',
        '1;DROP%20TABLE%20events',
      ),
    },
  );
}
