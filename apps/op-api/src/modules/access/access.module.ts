import { Module } from '@nestjs/common';
import { ApiClientService } from './api-client.service';
import { EasemobAppService } from './easemob-app.service';
import { KeyRotationService } from './key-rotation.service';
import { LoginThrottle } from './login-throttle.service';
import { MasterKeyBox } from './master-key-box';
import { NonceStore } from './nonce-store.service';
import { OperatorAuthController } from './operator-auth.controller';
import { OperatorTokenService } from './operator-token.service';
import { OperatorService } from './operator.service';
import { OperatorsController } from './operators.controller';
import { RateLimiter } from './rate-limiter.service';
import { ServiceAccountService } from './service-account.service';
import { SharedRedis } from './shared-redis.service';
import { TenantService } from './tenant.service';

/**
 * Who may call: tenants, API clients, operators and their tokens, Easemob appkeys, service
 * accounts, the master key; and the signature guard's helpers (nonces, rate limit).
 */
const SHARED = [
  TenantService,
  ApiClientService,
  OperatorService,
  OperatorTokenService,
  EasemobAppService,
  ServiceAccountService,
  KeyRotationService,
  NonceStore,
  RateLimiter,
  SharedRedis,
];

@Module({
  controllers: [OperatorAuthController, OperatorsController],
  providers: [MasterKeyBox, LoginThrottle, ...SHARED],
  exports: SHARED,
})
export class AccessModule {}
