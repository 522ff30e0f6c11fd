import { format, type SqlValue } from 'mysql2';
import { STATEMENT_BYTES, STATEMENT_PARAMS, statementRows, valueRows } from './sql';

describe('statementRows', () => {
  const statementsOf = (rows: readonly unknown[][]) =>
    [...statementRows(rows, rows[0].length, (row) => row)].map((batch) => ({
      rows: batch.length,
      bytes: Buffer.byteLength(format(`INSERT INTO t VALUES ${valueRows(batch.length, rows[0].length)}`, batch.flat() as SqlValue[])),
    }));

  it('cuts rows into statements whose text, as mysql2 escapes it, stays within STATEMENT_BYTES', () => {
    // Escaped, this text is about 80 KB: quotes, backslashes, line ends and NULs double.
    const text = `'"\\\n\0`.repeat(5_000) + '退款'.repeat(5_000);
    const rows = Array.from({ length: 300 }, (_, i) => [BigInt(i), text, i * 1.5, null]);
    const statements = statementsOf(rows);
    expect(statements.reduce((sum, s) => sum + s.rows, 0)).toBe(300);
    for (const statement of statements) expect(statement.bytes).toBeLessThanOrEqual(STATEMENT_BYTES);
    // Not one row a statement: about half the budget used, as the bound counts every character escaped.
    expect(statements.length).toBeLessThanOrEqual(10);
  });

  it('binds STATEMENT_PARAMS parameters at most, and honours a row cap', () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => Array.from({ length: 22 }, (_, c) => i * 100 + c));
    expect(statementsOf(rows).map((s) => s.rows * 22 <= STATEMENT_PARAMS)).not.toContain(false);
    expect([...statementRows(rows, 22, (row) => row, 500)].map((batch) => batch.length)).toEqual([500, 500, 500, 500, 500, 500]);
  });
});
