import { isPlainRead } from './read-replicas';

describe('which statements a replica may answer', () => {
  it.each([
    'SELECT 1',
    '  select m.id FROM messages m WHERE m.tenant_id = ?',
    '(SELECT id FROM chats) UNION (SELECT id FROM chats)',
    'WITH p AS (SELECT id FROM messages) SELECT * FROM p',
    "SELECT id FROM audit_log WHERE target LIKE '%update%'",
  ])('reads: %s', (sql) => expect(isPlainRead(sql)).toBe(true));

  it.each([
    'INSERT INTO message_marks (message_id) VALUES (?)',
    'UPDATE chats SET status = 5',
    'DELETE FROM message_favorites WHERE id = ?',
    'REPLACE INTO search_state VALUES (?)',
    'SELECT id FROM chats WHERE id = ? FOR UPDATE',
    'SELECT id FROM chats WHERE id = ? LOCK IN SHARE MODE',
    'SELECT id FROM chats FOR SHARE',
    "SELECT GET_LOCK('retention', 0)",
    'SELECT LAST_INSERT_ID()',
    'SELECT @@gtid_binlog_pos',
    'SELECT id INTO @chat FROM chats LIMIT 1',
    'CALL purge()',
    'SET @a = 1',
  ])('goes to the primary: %s', (sql) => expect(isPlainRead(sql)).toBe(false));
});
