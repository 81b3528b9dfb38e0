/**
 * Agent and domain routes (CONTRACTS §7): agents are global; agent_brand,
 * agent domains and level domains are written here and mirrored into the
 * Redis domain maps.
 */
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ok } from '@app/http';
import { asBrandId } from '@app/database';
import { CurrentOperator } from '../auth/admin-auth.guard';
import { DomainsService } from '../domains/domains.service';
import { AgentsService } from './agents.service';

class CreateAgentDto {
  @IsString() @Matches(/^[A-Za-z0-9_.-]{3,32}$/) account!: string;
  @IsString() @MinLength(6) @MaxLength(128) password!: string;
  @IsOptional() @IsString() @MaxLength(32) phone?: string;
}

class AgentBrandDto {
  @IsIn(['enabled', 'disabled']) status!: 'enabled' | 'disabled';
}

class AgentDomainDto {
  @Type(() => Number) @IsInt() @Min(1) brand_id!: number;
  @IsString() @MaxLength(253) domain!: string;
}

class LevelDomainDto {
  @Type(() => Number) @IsInt() @Min(1) brand_id!: number;
  @Type(() => Number) @IsInt() @Min(0) @Max(1000) level!: number;
  @IsString() @MaxLength(253) domain!: string;
}

class PageQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) page = 1;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size = 20;
}

class BrandQuery {
  @Type(() => Number) @IsInt() @Min(1) brand_id!: number;
}

@Controller('api/v1')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly domains: DomainsService,
  ) {}

  @Post('agents')
  async create(@CurrentOperator() operatorId: number, @Body() body: CreateAgentDto) {
    return ok(await this.agents.create(operatorId, body));
  }

  @Get('agents')
  async list(@Query() query: PageQuery) {
    return ok(await this.agents.list(query.page, query.page_size));
  }

  @Get('agents/:agent_id')
  async get(@Param('agent_id', ParseIntPipe) agentId: number) {
    return ok(await this.agents.get(agentId));
  }

  @Get('agents/:agent_id/brands')
  async brands(@Param('agent_id', ParseIntPipe) agentId: number) {
    return ok(await this.agents.brands(agentId));
  }

  @Put('agents/:agent_id/brands/:brand_id')
  async setBrand(
    @CurrentOperator() operatorId: number,
    @Param('agent_id', ParseIntPipe) agentId: number,
    @Param('brand_id', ParseIntPipe) brandId: number,
    @Body() body: AgentBrandDto,
  ) {
    return ok(await this.agents.setBrand(operatorId, agentId, asBrandId(brandId), body.status));
  }

  @Post('agents/:agent_id/domains')
  async addDomain(
    @CurrentOperator() operatorId: number,
    @Param('agent_id', ParseIntPipe) agentId: number,
    @Body() body: AgentDomainDto,
  ) {
    return ok(await this.domains.addAgentDomain(operatorId, agentId, body.brand_id, body.domain));
  }

  @Get('agents/:agent_id/domains')
  async listDomains(@Param('agent_id', ParseIntPipe) agentId: number) {
    return ok(await this.domains.listAgentDomains(agentId));
  }

  @Delete('agents/:agent_id/domains/:domain_id')
  async removeDomain(
    @CurrentOperator() operatorId: number,
    @Param('agent_id', ParseIntPipe) agentId: number,
    @Param('domain_id', ParseIntPipe) domainId: number,
  ) {
    return ok(await this.domains.removeAgentDomain(operatorId, agentId, domainId));
  }

  @Post('level-domains')
  async addLevelDomain(@CurrentOperator() operatorId: number, @Body() body: LevelDomainDto) {
    return ok(await this.domains.addLevelDomain(operatorId, body.brand_id, body.level, body.domain));
  }

  @Get('level-domains')
  async listLevelDomains(@Query() query: BrandQuery) {
    return ok(await this.domains.listLevelDomains(asBrandId(query.brand_id)));
  }

  @Delete('level-domains/:id')
  async removeLevelDomain(
    @CurrentOperator() operatorId: number,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: BrandQuery,
  ) {
    return ok(await this.domains.removeLevelDomain(operatorId, asBrandId(query.brand_id), id));
  }

  @Post('domains/rebuild')
  @HttpCode(200)
  async rebuild() {
    return ok(await this.domains.rebuild());
  }
}
