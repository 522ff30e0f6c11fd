import { stringify } from 'csv-stringify/sync';

/**
 * CSV rows as spreadsheets read them (RFC 4180, the exports' one writer): CRLF-terminated;
 * every cell holding a line break, CR or LF alone included, quoted (csv-stringify quotes only
 * the record delimiter itself, and a message of two lines split its row in two); every cell a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at its start) prefixed with
 * `'` (OWASP, CSV injection); numbers stay numbers, booleans read `true`/`false`.
 */
export function csvRows(rows: ReadonlyArray<readonly unknown[]>): string {
  return stringify(rows as unknown[][], {
    escape_formulas: true,
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
    cast: { boolean: (value) => String(value) },
  });
}
