import {
  ArgumentMetadata,
  Injectable,
  ParseUUIDPipe,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateIf } from 'class-validator';
import { FieldError } from '@accord/domain';
import { ProblemException } from './problem';

function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: error.constraints?.whitelistValidation ? 'is not a known field' : message,
    }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/** Deeper than any request Accord defines (approvalRule, requestedFunding: 2 levels), shallow enough for every recursive step after. */
export const MAX_BODY_DEPTH = 32;

/** Whether the parsed body nests objects or arrays more than `MAX_BODY_DEPTH` deep (iterative: no stack to overflow). */
function nestedTooDeep(value: unknown): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Validates bodies and query strings against their DTO: unknown fields, wrong types and out-of-range values are refused. */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) =>
        new ProblemException('validation-failed', 'The request is not valid', fieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value)))
      throw new ProblemException('validation-failed', 'The body must be a JSON object', [
        { field: 'body', message: 'must be a JSON object' },
      ]);
    if (metadata.type === 'body' && nestedTooDeep(value))
      throw new ProblemException('validation-failed', 'The body is nested too deeply', [
        { field: 'body', message: `must not nest objects or arrays more than ${MAX_BODY_DEPTH} levels deep` },
      ]);
    return super.transform(value, metadata);
  }
}

const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ProblemException('validation-failed', 'The initiative id must be a UUID', [
      { field: 'id', message: 'must be a UUID' },
    ]),
});

/** A UUID in any case names one initiative: ids are lower-case everywhere (RFC 9562 writes them so). */
export const initiativeIdPipe: PipeTransform<string, Promise<string>> = {
  // Not optional: the pipe refuses a missing id, so what it answers is the string it checked.
  transform: async (value, metadata) => ((await uuidPipe.transform(value, metadata)) as string).toLowerCase(),
};

export const LowerCase = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value));

/** The field may be left out, but not sent as null. */
export const IsOmittable = () => ValidateIf((_, value) => value !== undefined);
