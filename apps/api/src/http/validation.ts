import { ArgumentMetadata, Injectable, ParseUUIDPipe, ValidationError, ValidationPipe } from '@nestjs/common';
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
    return super.transform(value, metadata);
  }
}

export const initiativeIdPipe = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ProblemException('validation-failed', 'The initiative id must be a UUID', [
      { field: 'id', message: 'must be a UUID' },
    ]),
});

/** The field may be left out, but not sent as null. */
export const IsOmittable = () => ValidateIf((_, value) => value !== undefined);
