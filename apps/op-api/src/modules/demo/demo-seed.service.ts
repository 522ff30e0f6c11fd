import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { ImportService } from '../importer/import.service';
import { DEMO_AGENT_IM, DEMO_CHAT_ID, DEMO_PASSWORD, DEMO_USERNAME, demoImportLines } from './demo-data';

export interface DemoCredentials {
  tenantId: string;
  clientId: string;
  secret: string;
  username: string;
  password: string;
  token: string;
}

/** Where `npm start` keeps the demo credentials (beside the embedded database, mode 0600). */
export const DEMO_FILE = 'demo.json';
export const DEMO_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** A demo tenant with a client, an admin operator, and chats of every status and message type. */
@Injectable()
export class DemoSeedService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly importer: ImportService,
  ) {}

  async seed(): Promise<DemoCredentials> {
    const { tenantId } = await this.access.createTenant('演示租户');
    const client = await this.access.createClient(tenantId, 'hmac-sha256');
    const operator = await this.access.createOperator({
      tenantId,
      username: DEMO_USERNAME,
      password: DEMO_PASSWORD,
      role: 'admin',
      imUsername: DEMO_AGENT_IM,
    });
    const { token } = await this.access.issueToken(operator.operatorId, DEMO_TOKEN_TTL_SECONDS);

    await this.importer.importLines(tenantId, demoImportLines());

    // A mark and a favorite, so needMark and needFavorite show something.
    const rows: Array<{ id: string; type: string; msg: string | null }> = await this.dataSource.query(
      'SELECT CAST(id AS CHAR) AS id, type, msg FROM messages WHERE tenant_id = ? AND chat_id = ? ORDER BY create_time, id',
      [tenantId, DEMO_CHAT_ID],
    );
    const now = Date.now();
    const image = rows.find((row) => row.type === 'img');
    const first = rows[0];
    if (image) {
      await this.dataSource.query(
        'INSERT INTO message_marks (tenant_id, message_id, mark, chat_id, operator_id, create_time) VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)',
        [tenantId, BigInt(image.id), '重要', DEMO_CHAT_ID, operator.operatorId, now, tenantId, BigInt(image.id), '菜品', DEMO_CHAT_ID, operator.operatorId, now + 1],
      );
    }
    if (first) {
      await this.dataSource.query(
        'INSERT INTO message_favorites (operator_id, message_id, tenant_id, chat_id, create_time) VALUES (?, ?, ?, ?, ?)',
        [operator.operatorId, BigInt(first.id), tenantId, DEMO_CHAT_ID, now],
      );
    }
    return { tenantId, clientId: client.clientId, secret: client.secret, username: DEMO_USERNAME, password: DEMO_PASSWORD, token };
  }
}
