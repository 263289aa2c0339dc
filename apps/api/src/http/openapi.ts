import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
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

const DESCRIPTIONS: Partial<Record<number, string>> = {
  400: 'validation-failed: malformed JSON, wrong types, unknown fields, values out of range',
  401: 'unauthenticated: missing, malformed, expired or wrongly signed token',
  403: 'forbidden: role or country may not do this',
  404: 'not-found: no such initiative, or not visible to the caller',
  413: 'payload-too-large: body over 64 KiB',
  429: 'too-many-requests: rate limit, with Retry-After',
  431: 'headers-too-large: request line and headers over 16 KiB',
  503: 'unavailable or projection-lagging',
};

/** Documents the problem+json answers a route gives, one response per status with its codes. */
export function ApiProblems(...codes: ProblemCode[]) {
  const byStatus = new Map<number, ProblemCode[]>();
  const everyRoute: ProblemCode[] = [
    'unauthenticated',
    'too-many-requests',
    'headers-too-large',
    'unavailable',
  ];
  for (const code of [...everyRoute, ...codes]) {
    const status = PROBLEM_STATUS[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  return applyDecorators(
    ApiBearerAuth(),
    ApiExtraModels(ProblemDto),
    ...[...byStatus].map(([status, statusCodes]) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? statusCodes.join(', '),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  );
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
      description: 'The stream revision the caller saw, quoted: "3"',
      schema: { type: 'string', pattern: '^"[0-9]+"$' },
    }),
    ApiProblems(
      'validation-failed',
      'forbidden',
      'payload-too-large',
      'revision-mismatch',
      'idempotency-key-reused',
      ...codes,
    ),
  );
}
