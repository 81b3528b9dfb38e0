/**
 * Wallet topology and policy control plane (seed 004: "wallet config writes
 * (/api/v1/wallet/topologies/*, /api/v1/wallet/policies/*) are control-plane
 * operations only; money movement stays in wallet_service"; ADR-009
 * "per-brand topology and policy writes flow through wallet_service
 * topology/policy CRUD with the brand pinned in the request"). Every call is
 * relayed to wallet_service under /internal/wallet/{topologies|policies}/...
 * with the request brand as X-Brand-Id (status 54 without one), admin's
 * per-caller token and, for writes, the brand signature. A successful write
 * is audited with the brand; the wallet's answer is relayed unchanged.
 */
import { All, Controller, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DownstreamMethod } from '@app/downstream';
import { CurrentOperator } from '../auth/admin-auth.guard';
import { AdminAuditService } from '../common/admin-audit.service';
import { requireRequestBrand } from '../common/request-context';
import { WalletClient } from '../common/wallet.client';

const PREFIX = '/api/v1/wallet/';

@Controller('api/v1/wallet')
export class WalletConfigController {
  constructor(
    private readonly wallet: WalletClient,
    private readonly audit: AdminAuditService,
  ) {}

  @All(['topologies', 'topologies/*', 'policies', 'policies/*'])
  async forward(
    @CurrentOperator() operatorId: number,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const brandId = requireRequestBrand();
    const [pathname, search = ''] = req.url.split('?', 2);
    const rest = pathname.slice(PREFIX.length);
    const method = req.method.toUpperCase() as DownstreamMethod;
    const response = await this.wallet.forward(
      method,
      `/internal/wallet/${rest}`,
      brandId,
      new URLSearchParams(search),
      method === 'GET' ? undefined : req.body,
    );
    if (method !== 'GET' && method !== 'HEAD' && response.statusCode >= 200 && response.statusCode < 300) {
      const kind = rest.startsWith('topologies') ? 'wallet_topology' : 'wallet_policy';
      await this.audit.afterDownstream(
        {
          brandId,
          operatorId,
          action: `${method}_${kind.toUpperCase()}`,
          resource: kind,
          resourceId: rest,
          payload: { method, path: `/${rest}` },
        },
        `/api/v1/wallet/${kind === 'wallet_topology' ? 'topologies' : 'policies'}/*`,
      );
    }
    const contentType = response.headers['content-type'];
    if (contentType) void reply.header('content-type', contentType);
    void reply.status(response.statusCode).send(response.body ?? '');
  }
}
