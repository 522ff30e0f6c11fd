import type { ChatMessageSearchData, ChatSearchData, Envelope } from '@op/contracts';
import { SearchIndexService } from '../src/modules/search-index/search-index.service';
import { SEARCH_SETUPS, type SearchSetup } from './support/databases';
import { record } from './support/records';
import { generateCorpus } from './support/search-corpus';
import { startSearchApp, type TestApp, type TestTenant } from './support/test-app';

/**
 * Every keyword engine against the reference scan, over a generated corpus: the same chats,
 * hits, order, snippets, offsets and `page` for any keyword, on SQLite (FTS5), MariaDB
 * (Mroonga), the Sphinx tier (two real searchd) and the scan on both databases. The corpus
 * and keywords come from a seed printed with any difference (OP_TEST_SEED replays one).
 */
const SEED = Number(process.env.OP_TEST_SEED ?? Date.now() % 1_000_000);
const H = 3_600_000;
const BASE = Math.floor((Date.now() - 5 * 24 * H) / 1000) * 1000;
/** Small, so common keywords take the capped and walking paths too. */
const CAP = 6;

const corpus = generateCorpus(SEED);

interface Answers {
  /** One line per call: the request and the answer with message ids as Easemob ids. */
  lines: string[];
}

async function answers(setup: SearchSetup): Promise<Answers> {
  const t: TestApp = await startSearchApp(setup, { OP_SEARCH_TOTAL_CAP: String(CAP), OP_SEARCH_WINDOW_DAYS: '3660' });
  try {
    const a: TestTenant = await t.createTenant();
    const b: TestTenant = await t.createTenant();
    const started = Date.now();
    for (const chat of corpus.chats) {
      const records = chat.messages.map((m) =>
        record({
          chatId: chat.chatId,
          msgId: m.msgId,
          timestamp: BASE + m.hours * H,
          chatStatus: chat.status,
          body: m.text === null ? { type: 'img', url: 'https://x/y.jpg' } : { type: 'txt', msg: m.text },
        }),
      );
      await t.importRecords(a.tenantId, records);
      // The other tenant holds half of the same texts: a leak would show as a difference.
      await t.importRecords(
        b.tenantId,
        records.filter((_, i) => i % 2 === 0),
      );
    }
    await t.app.get(SearchIndexService).drain();
    process.stderr.write(`${setup.name}: imported and indexed in ${Date.now() - started} ms\n`);
    const [{ n }]: Array<{ n: number | string }> = await t.dataSource.query('SELECT COUNT(*) AS n FROM search_outbox');
    expect(Number(n)).toBe(0); // the engine itself answers below, not the outbox

    const rows: Array<{ id: string; hx_msg_id: string }> = await t.dataSource.query(
      'SELECT CAST(id AS CHAR) AS id, hx_msg_id FROM messages',
    );
    const hx = new Map(rows.map((row) => [row.id, row.hx_msg_id]));
    // `window` differs by design (the scan's ends at now; an index has none): chat-search.spec checks it.
    const stable = (envelope: Envelope<unknown>) =>
      JSON.stringify({
        code: envelope.code,
        message: envelope.message,
        data: envelope.data === null ? null : { ...(envelope.data as object), window: undefined },
        page: envelope.page,
      }).replace(/"userMessageId":"(\d+)"/g, (_, id: string) => `"userMessageId":"${hx.get(id)}"`);
    const lines: string[] = [];
    for (const keyword of corpus.keywords) {
      const calls: Array<[string, Record<string, unknown>]> = [
        ['chatSearch', { keyword, pageSize: 100 }],
        ['chatSearch', { keyword, pageSize: 4, pageNum: 2 }],
        ['chatSearch', { keyword, status: [5, 6], pageSize: 5 }],
        [
          'chatSearch',
          { keyword, messageTimeFrom: new Date(BASE + 24 * H + 8 * H).toISOString().slice(0, 19).replace('T', ' '), pageSize: 100 },
        ],
        [
          'chatSearch',
          { keyword, messageTimeTo: new Date(BASE + 50 * H + 1_800_000).toISOString().slice(0, 19).replace('T', ' '), pageSize: 100 },
        ],
        ['chatMessageSearch', { chatId: 'big', keyword, pageSize: 30 }],
        ['chatMessageSearch', { chatId: 'big', keyword, pageSize: 30, pageNum: 3 }],
      ];
      for (const [name, body] of calls) {
        const t0 = Date.now();
        const { envelope } = await a.client.call<ChatSearchData | ChatMessageSearchData>(name, body);
        lines.push(`${name} ${JSON.stringify(body)} → ${stable(envelope)}`);
        if (process.env.OP_TEST_TIMING && Date.now() - t0 > 50)
          process.stderr.write(`${Date.now() - t0} ms ${name} ${JSON.stringify(body)}\n`);
      }
    }
    process.stderr.write(`${setup.name}: ${lines.length} calls in ${Date.now() - started} ms\n`);
    return { lines };
  } finally {
    await t.close();
  }
}

describe(`keyword search gives the scan's answers on every engine (seed ${SEED})`, () => {
  const reference = SEARCH_SETUPS.find((setup) => setup.engine === 'mariadb' && setup.search === 'scan')!;
  let expected: Answers;

  beforeAll(async () => {
    expected = await answers(reference);
    // Not a vacuous comparison: many keywords match, in many chats, with hits.
    const matching = expected.lines.filter((line) => line.startsWith('chatSearch') && line.includes('"hits":[{')).length;
    expect(matching).toBeGreaterThan(corpus.keywords.length);
  }, 300_000);

  it.each(SEARCH_SETUPS.filter((setup) => setup !== reference).map((setup) => [setup.name, setup] as const))(
    '%s',
    async (_name, setup) => {
      const actual = await answers(setup);
      const differences = actual.lines
        .filter((line, i) => line !== expected.lines[i])
        .map((line) => {
          const i = actual.lines.indexOf(line);
          const want = expected.lines[i] ?? '';
          let at = 0;
          while (at < line.length && line[at] === want[at]) at++;
          const head = line.slice(0, line.indexOf(' → '));
          return `seed ${SEED}: ${head}\n  expected …${want.slice(Math.max(0, at - 150), at + 250)}\n  actual   …${line.slice(Math.max(0, at - 150), at + 250)}`;
        });
      expect(differences.slice(0, 3)).toEqual([]);
      expect(actual.lines.length).toBe(expected.lines.length);
    },
    300_000,
  );
});
