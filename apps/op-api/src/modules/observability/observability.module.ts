import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { MetricsService } from './metrics.service';
import { ObservabilityController } from './observability.controller';
import { OpenApiService } from './openapi.service';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [ObservabilityController],
  providers: [MetricsService, DatabaseHealthIndicator, OpenApiService],
  exports: [MetricsService],
})
export class ObservabilityModule {}
