import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  HeaderObject,
  OpenAPIObject,
} from '@nestjs/swagger';
import { PROBLEM_STATUS, ProblemCode } from './problem';

class FieldErrorDto {
  @ApiProperty() field!: string;
  @ApiProperty() message!: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'urn:accord:problem:validation-failed' }) type!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: 'integer' }) status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty({ enum: Object.keys(PROBLEM_STATUS), enumName: 'ProblemCode' }) code!: ProblemCode;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

/** What each code means to a client, in the response descriptions; a code without one is described by its name. */
const MEANINGS: Partial<Record<ProblemCode, string>> = {
  'validation-failed': 'malformed JSON, wrong types, unknown fields, values out of range',
  'signature-required': 'the party has keys: its commands carry a signature',
  'invalid-signature': 'the signature does not prove this command by this party (detail says why)',
  unauthenticated: 'missing, malformed, expired or wrongly signed token',
  forbidden: 'role or country may not do this',
  'not-found': 'no such initiative, or not visible to the caller',
  'method-not-allowed': 'this path does not take the method; Allow lists those it takes',
  'revision-mismatch':
    'If-Match failed: the initiative is not at the revision it names (for *, it does not exist)',
  'payload-too-large': 'body over 64 KiB',
  'unsupported-media-type': 'the body is not application/json',
  'too-many-requests': 'the rate limit of the caller',
  'headers-too-large': 'request line and headers over 16 KiB',
  'stored-event-damaged':
    "a stored event of the initiative cannot be read; the initiative's audit reports it",
  'projection-lagging': 'the read model has not reached minRevision yet',
  unavailable: 'the event store is unreachable, or the initiative too busy',
};

export const RETRY_AFTER_HEADER: HeaderObject = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer', minimum: 0 },
};

/** Headers that go with a status, whatever the code. */
const HEADERS: Partial<Record<number, Record<string, HeaderObject>>> = {
  405: {
    Allow: { description: 'The methods this path takes', schema: { type: 'string', example: 'GET, POST' } },
  },
  429: { 'Retry-After': RETRY_AFTER_HEADER },
  503: { 'Retry-After': RETRY_AFTER_HEADER },
};

/** `ETag` of an initiative: its stream revision, quoted, for `If-Match` on the next command. */
export const ETAG_HEADER: HeaderObject = {
  description: 'The stream revision of the initiative, quoted ("3"): send it back as If-Match',
  schema: { type: 'string', pattern: '^"[0-9]+"$', example: '"3"' },
};

/** `Location` of a proposed initiative. */
export const LOCATION_HEADER: HeaderObject = {
  description: 'The initiative: /v1/initiatives/{initiativeId}',
  schema: {
    type: 'string',
    format: 'uri-reference',
    example: '/v1/initiatives/6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b11',
  },
};

/** One problem+json response per status, with the codes it stands for and the headers that go with it. */
function problemResponses(codes: ProblemCode[], notes: Partial<Record<number, string>> = {}) {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) {
    const status = PROBLEM_STATUS[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  return [
    ApiExtraModels(ProblemDto),
    ...[...byStatus].map(([status, statusCodes]) =>
      ApiResponse({
        status,
        description: [
          ...statusCodes.map((code) => (MEANINGS[code] ? `${code}: ${MEANINGS[code]}` : code)),
          ...(notes[status] ? [notes[status]] : []),
          ...(HEADERS[status]?.['Retry-After'] ? ['Retry-After says when to try again'] : []),
        ].join('; '),
        headers: HEADERS[status],
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  ];
}

/** What any route under /v1 can answer: it needs a bearer token and is rate-limited. */
const EVERY_V1_ROUTE: ProblemCode[] = [
  'unauthenticated',
  'method-not-allowed',
  'too-many-requests',
  'headers-too-large',
  'unavailable',
];

/** Documents the problem+json answers a route under /v1 gives: one response per status, with its codes. */
export function ApiProblems(...codes: ProblemCode[]) {
  return applyDecorators(ApiBearerAuth(), ...problemResponses([...EVERY_V1_ROUTE, ...codes]));
}

/**
 * The problems of a route that needs no token and is never rate-limited (health, metrics). The route's
 * ApiOperation says `security: []`.
 */
export function ApiPublicProblems(...codes: ProblemCode[]) {
  return applyDecorators(...problemResponses(['method-not-allowed', 'headers-too-large', ...codes]));
}

/** The headers every command accepts, and the problems every command can answer. */
export function ApiCommand(...codes: ProblemCode[]) {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        '1–128 visible ASCII characters: a retry with the same key and body returns the first answer',
      schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' },
    }),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'Per RFC 9110: a quoted stream revision ("3", the ETag of GET /v1/initiatives/{id}) that the initiative ' +
        'must be at, or * meaning the initiative exists; otherwise 412 revision-mismatch. A weak (W/"3") or ' +
        'unquoted value is refused with 400.',
      schema: { type: 'string', pattern: '^(\\*|"[0-9]{1,15}")$', example: '"3"' },
    }),
    ApiBearerAuth(),
    ...problemResponses(
      [
        ...EVERY_V1_ROUTE,
        'validation-failed',
        'signature-required',
        'invalid-signature',
        'forbidden',
        'payload-too-large',
        'unsupported-media-type',
        'revision-mismatch',
        'idempotency-key-reused',
        'stored-event-damaged',
        ...codes,
      ],
      { 400: 'or an If-Match that is weak (W/"3") or not quoted' },
    ),
  );
}

/**
 * Operation ids a client generator can use: the use case a controller stands for (`recordSignOff`), or for the
 * operations controllers that serve several routes, the controller and the route (`healthReady`).
 */
export function operationIdFactory(controllerKey: string, methodKey: string): string {
  const name = controllerKey.replace(/Controller$/, '');
  const camel = name.charAt(0).toLowerCase() + name.slice(1);
  return /^(Health|Metrics)$/.test(name)
    ? `${camel}${methodKey.charAt(0).toUpperCase()}${methodKey.slice(1)}`
    : camel;
}

/**
 * What the generated document needs besides the decorators: request bodies refuse unknown fields, and a lone
 * `allOf` wrapper (Nest puts one around every `$ref` property) is replaced by what it wraps when nothing sits beside it.
 */
export function tidyOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  for (const schema of Object.values(document.components?.schemas ?? {}))
    if ('properties' in schema && schema.type === 'object') schema.additionalProperties = false;
  const unwrap = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(unwrap);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node).map(([key, value]) => [key, unwrap(value)] as const);
    const object = Object.fromEntries(entries) as Record<string, unknown>;
    const { allOf, ...rest } = object;
    return Array.isArray(allOf) && allOf.length === 1 && Object.keys(rest).length === 0 ? allOf[0] : object;
  };
  return unwrap(document) as OpenAPIObject;
}
