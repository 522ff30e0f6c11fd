import { Module, ValidationPipe, type ArgumentMetadata, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import type { ValidationError } from 'class-validator';
import { OpError } from './common/errors/op-error';
import { EnvelopeExceptionFilter } from './common/filters/envelope-exception.filter';
import { SignatureGuard } from './modules/access/signature.guard';
import { EnvelopeFactory } from './common/interceptors/envelope';
import { EnvelopeInterceptor } from './common/interceptors/envelope.interceptor';
import { ReadRoutingInterceptor } from './common/interceptors/read-routing.interceptor';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { ENTITIES } from './entities';
import { AccessModule } from './modules/access/access.module';
import { ChatMessageModule } from './modules/chat-message/chat-message.module';
import { ImporterModule } from './modules/importer/importer.module';
import { loggingModule } from './modules/observability/logging';
import { ObservabilityModule } from './modules/observability/observability.module';
import { ChatsModule } from './modules/chats/chats.module';
import { EasemobModule } from './modules/easemob/easemob.module';
import { AuditModule } from './modules/audit/audit.module';
import { FavoriteModule } from './modules/favorite/favorite.module';
import { MarkModule } from './modules/mark/mark.module';
import { SearchModule } from './modules/search/search.module';
import { RetentionScheduleModule, TrustModule } from './modules/trust/trust.module';
import { ReconcileScheduleModule } from './modules/importer/reconcile-schedule.module';

/** The first failing constraint, as the contract's one sentence naming the field. */
export function firstValidationMessage(errors: ValidationError[]): string {
  for (const error of errors) {
    const message = error.constraints ? Object.values(error.constraints)[0] : undefined;
    if (message) return message;
    const nested = error.children?.length ? firstValidationMessage(error.children) : undefined;
    if (nested) return nested;
  }
  return '请求参数无效';
}

/**
 * Optional fields sent as JSON `null` mean "not given", for every endpoint: class-validator's
 * IsOptional lets null through to services that expect a value or undefined. A required field
 * sent as null then fails as missing. A body no DTO describes (the Easemob callback) is data,
 * passed on as parsed, and not copied.
 */
class NullAsAbsentValidationPipe extends ValidationPipe {
  override transform(given: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const described = metadata.metatype !== undefined && metadata.metatype !== Object;
    // An empty body sent as text/plain reaches here as '' (Fastify's text parser): no body.
    const value = given === '' && metadata.type === 'body' ? undefined : given;
    // A body that is no JSON object (`null`, `[]`, `"x"`) never gets here: every described body
    // is a signed route's, refused as it is parsed (bootstrap.ts, parseJsonBody).
    const body =
      described && metadata.type === 'body' && value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null))
        : value;
    return super.transform(body, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new NullAsAbsentValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: false,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => OpError.badRequest(firstValidationMessage(errors)),
  });
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config.database, ENTITIES, config.replicas),
        AccessModule,
        ChatMessageModule,
        ImporterModule,
        ChatsModule,
        EasemobModule,
        AuditModule,
        SearchModule,
        MarkModule,
        FavoriteModule,
        TrustModule,
        RetentionScheduleModule,
        ObservabilityModule,
        loggingModule(config),
        ReconcileScheduleModule,
      ],
      providers: [
        EnvelopeFactory,
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_GUARD, useClass: SignatureGuard },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        { provide: APP_INTERCEPTOR, useClass: ReadRoutingInterceptor },
        { provide: APP_FILTER, useClass: EnvelopeExceptionFilter },
      ],
    };
  }
}
