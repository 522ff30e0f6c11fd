import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { SearchIndexService } from '../search-index/search-index.service';
import { keyOf, NO_KEY } from '../chats/chat-numbering';
import { ChatMessageRepository } from './chat-message.repository';

/**
 * The 2.37 hot path's SQL is written by hand; chat-message.repository.sql beside the repository
 * holds what it sends, so a change to it shows in review as a change of SQL. This spec fails
 * when the file and the code disagree; `UPDATE_SQL=1` rewrites the file.
 */
const FILE = join(__dirname, 'chat-message.repository.sql');

function recorder(answers: (sql: string) => unknown[]) {
  const statements: string[] = [];
  const dataSource = {
    options: { type: 'mysql' },
    query: (sql: string) => {
      statements.push(sql);
      return Promise.resolve(answers(sql));
    },
  } as unknown as DataSource;
  return { statements, repository: new ChatMessageRepository(dataSource, {} as SearchIndexService) };
}

async function generated(): Promise<string> {
  const sections: string[] = [];
  const section = async (
    title: string,
    run: (repository: ChatMessageRepository) => Promise<unknown>,
    answers: (sql: string) => unknown[] = () => [],
  ) => {
    const { statements, repository } = recorder(answers);
    await run(repository);
    sections.push(`-- ${title}\n${statements.map((sql) => `${sql};`).join('\n')}\n`);
  };
  const unnumbered = (count: number) => ({ count, upto: 0, last: NO_KEY });
  const numbered = (count: number) => ({ count, upto: count, last: keyOf(1_000, '99') });
  await section(
    'page: a page of a numbered chat, at any depth: one range of positions along idx_messages_chat_seq',
    (r) => r.page('tenant', 'chat', { offset: 5_000, limit: 20, numbering: numbered(10_000) }),
    () => Array.from({ length: 20 }, () => ({})),
  );
  await section('page: a page near either end of a chat not numbered there, read straight from idx_messages_chat_page', (r) =>
    r.page('tenant', 'chat', { offset: 0, limit: 20, numbering: unnumbered(100) }),
  );
  await section('page: a page deep in a chat not numbered there, found through the counts per day', (r) =>
    r.page('tenant', 'chat', { offset: 5_000, limit: 20, numbering: unnumbered(10_000) }),
  );
  await section(
    'positionInChat: the position of aroundMessageId, its seq in the numbered part',
    (r) => r.positionInChat('tenant', 'chat', '1', numbered(10)),
    () => [{ create_time: 0, seq: 1 }],
  );
  await section(
    'positionInChat: past the numbered part, counted (then, when the day counts disagree, counted again)',
    (r) => r.positionInChat('tenant', 'chat', '1', unnumbered(10)),
    (sql) =>
      sql.startsWith('SELECT create_time')
        ? [{ create_time: 0, seq: null }]
        : sql.startsWith('SELECT (SELECT')
          ? [{ all_days: 9, earlier: 0, same_day: 0 }]
          : [{ n: 0 }],
  );
  await section('messagesAfter: the keyset walk of an export', (r) => r.messagesAfter('tenant', 'chat', { timeMs: 0, id: '1' }, 500));
  return sections.join('\n');
}

describe('chat-message.repository.sql', () => {
  it('holds the SQL the 2.37 hot path sends', async () => {
    const sql = await generated();
    if (process.env.UPDATE_SQL === '1') writeFileSync(FILE, sql);
    expect(readFileSync(FILE, 'utf8')).toBe(sql);
  });
});
