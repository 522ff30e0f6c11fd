import { Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { LoginThrottle } from './login-throttle.service';
import { OperatorAuthController } from './operator-auth.controller';
import { ReplayGuard } from './replay-guard.service';

@Module({
  controllers: [OperatorAuthController],
  providers: [AccessService, ReplayGuard, LoginThrottle],
  exports: [AccessService, ReplayGuard],
})
export class AccessModule {}
