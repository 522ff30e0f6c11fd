import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChatMessageModule } from '../chat-message/chat-message.module';
import { MarkController } from './mark.controller';
import { MarkService } from './mark.service';

@Module({ imports: [ChatMessageModule, AuditModule], controllers: [MarkController], providers: [MarkService] })
export class MarkModule {}
