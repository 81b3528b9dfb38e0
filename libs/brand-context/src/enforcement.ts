import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENFORCEMENT_MODE, type EnforcementMode, SERVICE_NAME } from '@app/config';
import { BrandMismatchError, BrandNotAllowedError, BrandUnresolvedError } from '@app/http';
import { Metrics } from '@app/observability';
import { currentRequestId } from './brand-context';

/** What the caller should do after a check that did not throw. */
export type Verdict = 'pass' | 'use_request_brand';

export interface CheckDetails {
  brandId?: number | null;
  expectedBrandId?: number | null;
  actualBrandId?: number | null;
  domain?: string | null;
  [key: string]: unknown;
}

/**
 * CONTRACTS §11 in one place: each check asks this service, which reads the
 * injected MULTI_BRAND_ENFORCEMENT mode, counts
 * `brand_resolution_failed_total{reason,service}`, writes one structured log
 * line (reason, service, brand_id, request_id) and passes or throws the
 * documented error. Guards and services call it instead of reading the mode.
 */
@Injectable()
export class BrandEnforcement {
  private readonly logger = new Logger('BrandEnforcement');

  constructor(
    @Inject(ENFORCEMENT_MODE) readonly mode: EnforcementMode,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  /** Count + log one failed brand check. */
  record(reason: string, details: CheckDetails = {}): void {
    Metrics.brandResolutionFailed().inc({ reason, service: this.service });
    this.logger.warn(
      {
        reason,
        service: this.service,
        brand_id: details.brandId ?? details.expectedBrandId ?? null,
        request_id: currentRequestId(),
        mode: this.mode,
        ...details,
      },
      'brand check failed',
    );
  }

  /** Request domain resolves to no brand: off forwards without a brand; observe and enforce reject (50). */
  unresolvedDomain(details: CheckDetails, reason = 'domain_unresolved'): Verdict {
    this.record(reason, details);
    if (this.mode === 'off') return 'pass';
    throw new BrandUnresolvedError();
  }

  /**
   * A brand mismatch (JWT vs domain, X-Brand-Id vs row): off passes; observe
   * counts and continues with the request brand; enforce rejects (51).
   */
  mismatch(reason: string, details: CheckDetails): Verdict {
    if (this.mode === 'off') return 'pass';
    this.record(reason, details);
    if (this.mode === 'enforce') throw new BrandMismatchError();
    return 'use_request_brand';
  }

  /** Agent not enabled for the brand: off passes; observe counts; enforce rejects (52). */
  notAllowed(reason: string, details: CheckDetails): Verdict {
    if (this.mode === 'off') return 'pass';
    this.record(reason, details);
    if (this.mode === 'enforce') throw new BrandNotAllowedError();
    return 'pass';
  }

  /** Recovery and other checks too sensitive for observe: counted and rejected in every mode. */
  strictMismatch(reason: string, details: CheckDetails): never {
    this.record(reason, details);
    throw new BrandMismatchError();
  }

  strictNotAllowed(reason: string, details: CheckDetails): never {
    this.record(reason, details);
    throw new BrandNotAllowedError();
  }
}
