// `@op/contracts/testing`: builders of contract documents for specs, the demo and the benches.
// Browser-safe like the main entry: no Node built-ins, no server dependencies.

/** A message body of `payload.bodies[0]` (docs/CONTRACT.md §5): `type` and the body fields. */
export type ImportBody = { type: string } & Record<string, unknown>;

/** One import record (docs/CONTRACT.md §5): an Easemob history-export record with our session id. */
export interface ImportRecord {
  /** Our session id; absent in Easemob's own export (the router then finds the chat). */
  chatId?: string;
  msg_id: string;
  timestamp: number;
  from: string;
  to: string;
  chat_type: 'chat';
  payload: { bodies: [ImportBody]; ext: Record<string, unknown> };
  chatStatus?: number;
  qiniuKey?: string | null;
}

export interface ImportRecordInput {
  chatId?: string;
  msgId: string;
  /** Epoch milliseconds. */
  timestamp: number;
  from: string;
  to: string;
  /** The message body; a string is a text message. */
  body: ImportBody | string;
  ext?: Record<string, unknown>;
  chatStatus?: number;
  qiniuKey?: string | null;
}

/** An import record (docs/CONTRACT.md §5), fields absent from the input left out of the record. */
export function importRecord(input: ImportRecordInput): ImportRecord {
  return {
    ...(input.chatId === undefined ? {} : { chatId: input.chatId }),
    msg_id: input.msgId,
    timestamp: input.timestamp,
    from: input.from,
    to: input.to,
    chat_type: 'chat',
    payload: { bodies: [typeof input.body === 'string' ? { type: 'txt', msg: input.body } : input.body], ext: input.ext ?? {} },
    ...(input.chatStatus === undefined ? {} : { chatStatus: input.chatStatus }),
    ...(input.qiniuKey === undefined ? {} : { qiniuKey: input.qiniuKey }),
  };
}

/** The JSON Lines text of records, as `import` reads it (a trailing newline after each). */
export function importLines(records: readonly ImportRecord[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join('');
}
