import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidInputError } from './errors';

function collect(errors: ValidationError[], prefix = '', out: Record<string, string[]> = {}): Record<string, string[]> {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) {
      // Constraint keys only (isString, maxLength, …): messages could echo values.
      out[path] = Object.keys(error.constraints);
    }
    if (error.children?.length) {
      collect(error.children, path, out);
    }
  }
  return out;
}

/**
 * The global validation pipe: unknown properties are stripped (legacy clients
 * send extra fields such as `domain`), and a failure
 * becomes status 2 naming the fields and the rules they broke, never values.
 */
export function envelopeValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new InvalidInputError('invalid input', collect(errors)),
  });
}

/** Field map for tests and for hand-validated payloads. */
export const validationFields = collect;
