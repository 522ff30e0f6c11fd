import { ApiClientEntity } from './modules/access/api-client.entity';
import { OperatorTokenEntity } from './modules/access/operator-token.entity';
import { OperatorEntity } from './modules/access/operator.entity';
import { TenantEntity } from './modules/access/tenant.entity';
import { ChatEntity } from './modules/chats/chat.entity';

/**
 * Every TypeORM entity of the feature modules, handed to the database layer by the composition
 * roots (AppModule, opctl): database/ imports no feature module (.dependency-cruiser.cjs).
 */
export const ENTITIES = [TenantEntity, ApiClientEntity, OperatorEntity, OperatorTokenEntity, ChatEntity];
