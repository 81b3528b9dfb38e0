/**
 * The authenticated operator of one admin request or WebSocket (seed 004
 * "Operator identity"): the verified admin JWT plus the operator id resolved
 * by require_operator_id. Reused by the WebSocket gateway, which passes the
 * token it read from Sec-WebSocket-Protocol.
 */
import { Inject, Injectable } from '@nestjs/common';
import { type AdminClaims, JwtVerifier } from '@app/auth';
import { AuthRequiredError } from '@app/http';
import { Database, AdminOperator } from '@app/database';
import { resolveOperatorId } from './operator-id';

export const ADMIN_JWT_VERIFIER = Symbol('ADMIN_JWT_VERIFIER');

export interface AdminIdentity {
  operatorId: number;
  claims: AdminClaims;
}

@Injectable()
export class AdminIdentityService {
  constructor(
    @Inject(ADMIN_JWT_VERIFIER) private readonly verifier: JwtVerifier,
    private readonly db: Database,
  ) {}

  /**
   * Verifies an admin token (401 status 3 on any failure), resolves the
   * operator id against the optional X-Operator-Id header (403 status 61 /
   * 400 status 62) and checks the operator still exists and is enabled.
   */
  async authenticate(token: string | undefined, operatorHeader?: string | string[]): Promise<AdminIdentity> {
    if (!token) throw new AuthRequiredError();
    const claims = await this.verifier.verify(token, 'admin');
    const operatorId = resolveOperatorId(claims.admin_id, operatorHeader);
    const operator = await this.db.dataSource
      .getRepository(AdminOperator)
      .findOne({ where: { id: operatorId } });
    if (!operator || operator.status !== 'enabled') throw new AuthRequiredError();
    return { operatorId, claims };
  }
}

/** `Authorization: Bearer <jwt>` → the token, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return match?.[1];
}
