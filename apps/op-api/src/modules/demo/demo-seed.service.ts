import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiClientService } from '../access/api-client.service';
import { OperatorTokenService } from '../access/operator-token.service';
import { OperatorService } from '../access/operator.service';
import { TenantService } from '../access/tenant.service';
import { ChatRepository } from '../chats/chat.repository';
import { ImportService } from '../importer/import.service';
import {
  DEMO_AGENT_AGENT_IM,
  DEMO_AGENT_IM,
  DEMO_AGENT_PASSWORD,
  DEMO_AGENT_USERNAME,
  DEMO_PASSWORD,
  DEMO_USERNAME,
  demoData,
} from './demo-data';

export interface DemoCredentials {
  tenantId: string;
  clientId: string;
  secret: string;
  /** The admin's sign-in (and the operator of `token`). */
  username: string;
  password: string;
  token: string;
  /** The agent's sign-in: an agent reads only the chats assigned to them. */
  agentUsername: string;
  agentPassword: string;
}

/** Where `npm start` keeps the demo credentials (beside the embedded database, mode 0600). */
export const DEMO_FILE = 'demo.json';
export const DEMO_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/**
 * A demo tenant with a client, an admin and an agent, and recent chats of every status and
 * message type (about refunds, shipping and complaints, one of a few hundred messages) with
 * marks and favorites already on them.
 */
@Injectable()
export class DemoSeedService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tenants: TenantService,
    private readonly clients: ApiClientService,
    private readonly operators: OperatorService,
    private readonly tokens: OperatorTokenService,
    private readonly importer: ImportService,
    private readonly chats: ChatRepository,
  ) {}

  async seed(now = Date.now()): Promise<DemoCredentials> {
    const { tenantId } = await this.tenants.create('演示租户');
    const client = await this.clients.create(tenantId, 'hmac-sha256');
    const admin = await this.operators.create({
      tenantId,
      username: DEMO_USERNAME,
      password: DEMO_PASSWORD,
      role: 'admin',
      imUsername: DEMO_AGENT_IM,
    });
    const agent = await this.operators.create({
      tenantId,
      username: DEMO_AGENT_USERNAME,
      password: DEMO_AGENT_PASSWORD,
      role: 'agent',
      imUsername: DEMO_AGENT_AGENT_IM,
    });
    const { token } = await this.tokens.issue(admin.operatorId, DEMO_TOKEN_TTL_SECONDS);
    const operators = { admin: admin.operatorId, agent: agent.operatorId };

    const data = demoData(now);
    await this.importer.importLines(tenantId, data.lines);

    // Imported chats carry no customer or operator: give each its customer and assignee, as
    // chatCreate and chatAssign would have.
    for (const chat of data.chats) {
      const operatorId = chat.assignee ? operators[chat.assignee] : null;
      await this.chats.seat(tenantId, chat.chatId, chat.customerId, operatorId);
    }

    // Marks and favorites, so needMark, needFavorite, the mark filter and the favorites page show something.
    const ids = new Map<string, string[]>();
    for (const chat of data.chats) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        'SELECT CAST(id AS CHAR) AS id FROM messages WHERE tenant_id = ? AND chat_id = ? ORDER BY create_time, id',
        [tenantId, chat.chatId],
      );
      ids.set(
        chat.chatId,
        rows.map((row) => row.id),
      );
    }
    let at = now;
    for (const touch of data.touches) {
      const id = ids.get(touch.chatId)?.[touch.index];
      if (id === undefined) continue;
      at += 1;
      if (touch.mark) {
        await this.dataSource.query(
          'INSERT INTO message_marks (tenant_id, message_id, mark, chat_id, operator_id, create_time) VALUES (?, ?, ?, ?, ?, ?)',
          [tenantId, BigInt(id), touch.mark, touch.chatId, admin.operatorId, at],
        );
      }
      if (touch.favoriteOf) {
        await this.dataSource.query(
          'INSERT INTO message_favorites (operator_id, message_id, tenant_id, chat_id, create_time) VALUES (?, ?, ?, ?, ?)',
          [operators[touch.favoriteOf], BigInt(id), tenantId, touch.chatId, at],
        );
      }
    }
    return {
      tenantId,
      clientId: client.clientId,
      secret: client.secret,
      username: DEMO_USERNAME,
      password: DEMO_PASSWORD,
      token,
      agentUsername: DEMO_AGENT_USERNAME,
      agentPassword: DEMO_AGENT_PASSWORD,
    };
  }
}
