import { Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { ReplayGuard } from './replay-guard.service';

@Module({ providers: [AccessService, ReplayGuard], exports: [AccessService, ReplayGuard] })
export class AccessModule {}
