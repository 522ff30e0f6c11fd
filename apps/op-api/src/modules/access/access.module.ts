import { Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { LoginThrottle } from './login-throttle.service';
import { OperatorAuthController } from './operator-auth.controller';
import { ReplayGuard } from './replay-guard.service';
import { SharedRedis } from './shared-redis.service';

@Module({
  controllers: [OperatorAuthController],
  providers: [AccessService, ReplayGuard, LoginThrottle, SharedRedis],
  exports: [AccessService, ReplayGuard],
})
export class AccessModule {}
