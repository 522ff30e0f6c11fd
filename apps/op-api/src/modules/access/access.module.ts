import { Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { LoginThrottle } from './login-throttle.service';
import { OperatorAuthController } from './operator-auth.controller';
import { RateLimiter } from './rate-limiter.service';
import { ReplayGuard } from './replay-guard.service';
import { SharedRedis } from './shared-redis.service';

@Module({
  controllers: [OperatorAuthController],
  providers: [AccessService, ReplayGuard, LoginThrottle, SharedRedis, RateLimiter],
  exports: [AccessService, ReplayGuard, RateLimiter, SharedRedis],
})
export class AccessModule {}
