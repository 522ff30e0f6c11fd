-- page: a page of a numbered chat, at any depth: one range of positions along idx_messages_chat_seq
SELECT CAST(m.id AS CHAR) AS id, m.hx_msg_id, m.from_user, m.to_user, m.type, m.msg, m.url, m.filename, m.thumb, m.secret, m.thumb_secret, m.length, m.file_length, m.addr, m.lat, m.lng, m.create_time, m.qiniu_key, m.ext FROM messages m FORCE INDEX (idx_messages_chat_seq) WHERE m.tenant_id = ? AND m.chat_id = ? AND m.seq >= ? AND m.seq <= ? AND m.create_time <= ? AND (m.create_time < ? OR m.id <= ?) ORDER BY m.seq;

-- page: a page near either end of a chat not numbered there, read straight from idx_messages_chat_page
SELECT CAST(m.id AS CHAR) AS id, m.hx_msg_id, m.from_user, m.to_user, m.type, m.msg, m.url, m.filename, m.thumb, m.secret, m.thumb_secret, m.length, m.file_length, m.addr, m.lat, m.lng, m.create_time, m.qiniu_key, m.ext FROM messages m FORCE INDEX (idx_messages_chat_page) WHERE m.tenant_id = ? AND m.chat_id = ? ORDER BY m.create_time ASC, m.id ASC LIMIT ? OFFSET ?;

-- page: a page deep in a chat not numbered there, found through the counts per day
SELECT utc_day, message_count FROM chat_message_days WHERE tenant_id = ? AND chat_id = ? ORDER BY utc_day;
SELECT CAST(m.id AS CHAR) AS id, m.hx_msg_id, m.from_user, m.to_user, m.type, m.msg, m.url, m.filename, m.thumb, m.secret, m.thumb_secret, m.length, m.file_length, m.addr, m.lat, m.lng, m.create_time, m.qiniu_key, m.ext FROM messages m JOIN (SELECT id FROM messages FORCE INDEX (idx_messages_chat_page) WHERE tenant_id = ? AND chat_id = ? AND create_time >= ? ORDER BY create_time, id LIMIT ? OFFSET ?) p ON p.id = m.id WHERE m.tenant_id = ? AND m.chat_id = ? ORDER BY m.create_time, m.id;

-- positionInChat: the position of aroundMessageId, its seq in the numbered part
SELECT create_time, seq FROM messages WHERE tenant_id = ? AND chat_id = ? AND id = ?;

-- positionInChat: past the numbered part, counted (then, when the day counts disagree, counted again)
SELECT create_time, seq FROM messages WHERE tenant_id = ? AND chat_id = ? AND id = ?;
SELECT (SELECT SUM(message_count) FROM chat_message_days WHERE tenant_id = ? AND chat_id = ?) AS all_days, (SELECT SUM(message_count) FROM chat_message_days WHERE tenant_id = ? AND chat_id = ? AND utc_day < ?) AS earlier, (SELECT COUNT(*) FROM messages FORCE INDEX (idx_messages_chat_page) WHERE tenant_id = ? AND chat_id = ? AND create_time >= ? AND create_time <= ? AND (create_time < ? OR id < ?)) AS same_day;
SELECT COUNT(*) AS n FROM messages FORCE INDEX (idx_messages_chat_page) WHERE tenant_id = ? AND chat_id = ? AND create_time >= ? AND create_time <= ? AND (create_time < ? OR id < ?);

-- messagesAfter: the keyset walk of an export
SELECT CAST(m.id AS CHAR) AS id, m.hx_msg_id, m.from_user, m.to_user, m.type, m.msg, m.url, m.filename, m.thumb, m.secret, m.thumb_secret, m.length, m.file_length, m.addr, m.lat, m.lng, m.create_time, m.qiniu_key, m.ext FROM messages m FORCE INDEX (idx_messages_chat_page) WHERE m.tenant_id = ? AND m.chat_id = ? AND m.create_time >= ? AND (m.create_time > ? OR m.id > ?) ORDER BY m.create_time, m.id LIMIT ?;
