import { DEFAULT_MESSAGES, Status } from './status';

/**
 * Typed domain exceptions. Services throw these; one exception filter per
 * surface turns them into the envelope and HTTP code of CONTRACTS §2, so no
 * controller ever builds an error body by hand.
 */
export class DomainError extends Error {
  constructor(
    readonly status: Status,
    message?: string,
    readonly data: unknown = null,
  ) {
    super(message ?? DEFAULT_MESSAGES[status]);
    this.name = new.target.name;
  }
}

export class BusinessRuleError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.FAILED], data: unknown = null) {
    super(Status.FAILED, message, data);
  }
}

export class InvalidInputError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.INVALID_INPUT], fields: Record<string, string[]> | null = null) {
    super(Status.INVALID_INPUT, message, fields ? { fields } : null);
  }
}

export class AuthRequiredError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.AUTH_REQUIRED]) {
    super(Status.AUTH_REQUIRED, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.FORBIDDEN]) {
    super(Status.FORBIDDEN, message);
  }
}

export class NotFoundError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.NOT_FOUND]) {
    super(Status.NOT_FOUND, message);
  }
}

export class RateLimitedError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.RATE_LIMITED]) {
    super(Status.RATE_LIMITED, message);
  }
}

export class DownstreamUnavailableError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.DOWNSTREAM_UNAVAILABLE]) {
    super(Status.DOWNSTREAM_UNAVAILABLE, message);
  }
}

export class ConflictError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.CONFLICT], data: unknown = null) {
    super(Status.CONFLICT, message, data);
  }
}

export class BrandUnresolvedError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.BRAND_UNRESOLVED]) {
    super(Status.BRAND_UNRESOLVED, message);
  }
}

export class BrandMismatchError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.BRAND_MISMATCH]) {
    super(Status.BRAND_MISMATCH, message);
  }
}

export class BrandNotAllowedError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.BRAND_NOT_ALLOWED]) {
    super(Status.BRAND_NOT_ALLOWED, message);
  }
}

export class BrandSignatureInvalidError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.BRAND_SIGNATURE_INVALID]) {
    super(Status.BRAND_SIGNATURE_INVALID, message);
  }
}

export class BrandContextRequiredError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.BRAND_CONTEXT_REQUIRED]) {
    super(Status.BRAND_CONTEXT_REQUIRED, message);
  }
}

export class InternalTokenInvalidError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.INTERNAL_TOKEN_INVALID]) {
    super(Status.INTERNAL_TOKEN_INVALID, message);
  }
}

export class OperatorIdMismatchError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.OPERATOR_ID_MISMATCH]) {
    super(Status.OPERATOR_ID_MISMATCH, message);
  }
}

export class OperatorIdRequiredError extends DomainError {
  constructor(message = DEFAULT_MESSAGES[Status.OPERATOR_ID_REQUIRED]) {
    super(Status.OPERATOR_ID_REQUIRED, message);
  }
}
