/** What other admin modules (the WebSocket gateway) import from auth. */
export { AdminAuthModule } from './admin-auth.module';
export { AdminIdentityService, ADMIN_JWT_VERIFIER, bearerToken, type AdminIdentity } from './admin-identity';
export { AdminAuthGuard, CurrentOperator, Public, API_PREFIX } from './admin-auth.guard';
export { resolveOperatorId, OPERATOR_HEADER } from './operator-id';
export { ADMIN_JWT_ISSUER, ADMIN_PASSWORD_HASHER } from './auth.service';
export { createOrResetOperator, validateOperatorInput, OperatorInputError } from './operators';
