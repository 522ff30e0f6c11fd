#!/usr/bin/env node
/*
 * The benchmark's floor: the least a server can do to answer 2.37 from the same database.
 * A bare Node `http` server and a mysql2 pool, hand-written SQL naming the indexes the API's
 * does (since 2026-12-03: without them MariaDB walked the tenant's time index on the `one-day`
 * shape and the floor served 0-5 calls/s), the same JSON as the API
 * (envelope, field order, `createTime` in Asia/Shanghai, Qiniu `getUrl`), and nothing else:
 * no framework, no signature, no token, no validation, no audit. The tenant and operator
 * are fixed by the environment. Started by tools/bench/run.js; not a product.
 *
 *   FLOOR_DATABASE_URL=mysql://root@127.0.0.1:3306/db FLOOR_PORT=3999 FLOOR_TENANT=… FLOOR_OPERATOR=… node tools/bench/floor.js
 */
const { createHmac } = require('node:crypto');
const { createServer } = require('node:http');
const { hostname } = require('node:os');
const mysql = require('mysql2/promise');

const env = process.env;
const TENANT = env.FLOOR_TENANT;
const OPERATOR = env.FLOOR_OPERATOR;
const SERVICE_PHONE = env.OP_SERVICE_PHONE ?? '400800400';
const HOST = env.OP_HOST_NAME ?? hostname();
const QINIU = env.OP_QINIU_DOMAIN
  ? {
      domain: env.OP_QINIU_DOMAIN.replace(/\/$/, ''),
      ak: env.OP_QINIU_ACCESS_KEY,
      sk: env.OP_QINIU_SECRET_KEY,
      ttl: Number(env.OP_QINIU_URL_TTL ?? 3600),
    }
  : null;
const STATUS = { 1: '等待接待', 3: '聊天中', 5: '已结束', 6: '用户删除', 30: '挂起' };
const TYPES = new Set(['txt', 'img', 'audio', 'video', 'loc', 'file', 'cmd', 'custom']);
const COLUMNS =
  'CAST(m.id AS CHAR) AS id, m.hx_msg_id, m.from_user, m.to_user, m.type, m.msg, m.url, m.filename, m.thumb, m.secret, ' +
  'm.thumb_secret, m.length, m.file_length, m.addr, m.lat, m.lng, m.create_time, m.qiniu_key, m.ext';

const url = new URL(env.FLOOR_DATABASE_URL);
const pool = mysql.createPool({
  host: url.hostname,
  port: Number(url.port || 3306),
  user: decodeURIComponent(url.username || 'root'),
  password: decodeURIComponent(url.password),
  database: url.pathname.slice(1),
  connectionLimit: Number(env.OP_DB_POOL_SIZE ?? 20),
  supportBigNumbers: true,
  bigNumberStrings: true,
});

// Asia/Shanghai has had no daylight saving since 1991: a fixed +8 h is exact for this data.
const pad = (n) => (n < 10 ? `0${n}` : String(n));
function shanghai(ms) {
  const d = new Date(ms + 8 * 3_600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function qiniuUrl(key, deadline) {
  const base = `${QINIU.domain}/${key.split('/').map(encodeURIComponent).join('/')}?imageView2/1/w/200/h/200&e=${deadline}`;
  const digest = createHmac('sha1', QINIU.sk).update(base, 'utf8').digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return `${base}&token=${QINIU.ak}:${digest}`;
}

const num = (v) => (v === null ? null : Number(v));
function ext(raw) {
  if (raw === null || raw === '') return {};
  try {
    const v = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

async function list(body) {
  const chatId = body.chatId;
  const pageSize = Number(body.pageSize ?? 20);
  let pageNum = Number(body.pageNum ?? 1);
  const [chats] = await pool.query(
    'SELECT status, message_count, seq_upto, seq_last_time, CAST(seq_last_id AS CHAR) AS seq_last_id FROM chats WHERE tenant_id = ? AND id = ?',
    [TENANT, chatId],
  );
  if (chats.length === 0) return { status: 404, envelope: { code: 404, message: `chatId ${chatId} 对应的会话不存在`, data: null } };
  const total = Number(chats[0].message_count);
  // The API's own data model: how many of the chat's first messages carry their position (seq), up to which message.
  const upto = Number(chats[0].seq_upto);
  const lastTime = Number(chats[0].seq_last_time);
  const lastId = BigInt(chats[0].seq_last_id);
  if (body.aroundMessageId) {
    const [found] = await pool.query('SELECT create_time, seq FROM messages WHERE tenant_id = ? AND chat_id = ? AND id = ?', [
      TENANT,
      chatId,
      body.aroundMessageId,
    ]);
    const time = Number(found[0].create_time);
    const seq = found[0].seq === null ? null : Number(found[0].seq);
    if (seq !== null && seq <= upto && (time < lastTime || (time === lastTime && BigInt(body.aroundMessageId) <= lastId))) {
      pageNum = Math.floor((seq - 1) / pageSize) + 1;
    } else {
      // Past the numbered part: the chat's counts of earlier days, then a count within the day.
      const day = Math.floor(time / 86_400_000);
      const [[{ earlier, same_day: sameDay }]] = await pool.query(
        'SELECT (SELECT SUM(message_count) FROM chat_message_days WHERE tenant_id = ? AND chat_id = ? AND utc_day < ?) AS earlier, ' +
          '(SELECT COUNT(*) FROM messages FORCE INDEX (idx_messages_chat_page) WHERE tenant_id = ? AND chat_id = ? AND create_time >= ? AND create_time <= ? AND (create_time < ? OR id < ?)) AS same_day',
        [TENANT, chatId, day, TENANT, chatId, day * 86_400_000, time, time, body.aroundMessageId],
      );
      pageNum = Math.floor((Number(earlier ?? 0) + Number(sameDay)) / pageSize) + 1;
    }
  }
  const offset = (pageNum - 1) * pageSize;
  const count = Math.min(pageSize, total - offset);
  let rows = [];
  if (count > 0) {
    const fromEndSkip = total - offset - count;
    const fromEnd = fromEndSkip < offset;
    if (Math.min(offset, fromEndSkip) <= 200) {
      const dir = fromEnd ? 'DESC' : 'ASC';
      [rows] = await pool.query(
        `SELECT ${COLUMNS} FROM messages m FORCE INDEX (idx_messages_chat_page) WHERE m.tenant_id = ? AND m.chat_id = ? ORDER BY m.create_time ${dir}, m.id ${dir} LIMIT ? OFFSET ?`,
        [TENANT, chatId, count, fromEnd ? fromEndSkip : offset],
      );
      if (fromEnd) rows.reverse();
    } else if (offset + count <= upto) {
      [rows] = await pool.query(
        `SELECT ${COLUMNS} FROM messages m FORCE INDEX (idx_messages_chat_seq) WHERE m.tenant_id = ? AND m.chat_id = ? AND m.seq >= ? AND m.seq <= ? ` +
          'AND m.create_time <= ? AND (m.create_time < ? OR m.id <= ?) ORDER BY m.seq',
        [TENANT, chatId, offset + 1, offset + count, lastTime, lastTime, lastId],
      );
    } else {
      // The API's own data model: the day the page starts in, from the chat's counts per day.
      const [days] = await pool.query(
        'SELECT utc_day, message_count FROM chat_message_days WHERE tenant_id = ? AND chat_id = ? ORDER BY utc_day',
        [TENANT, chatId],
      );
      let before = 0;
      let start = { fromMs: Number.MIN_SAFE_INTEGER, skip: offset };
      for (const day of days) {
        if (before + Number(day.message_count) > offset) {
          start = { fromMs: Number(day.utc_day) * 86_400_000, skip: offset - before };
          break;
        }
        before += Number(day.message_count);
      }
      [rows] = await pool.query(
        `SELECT ${COLUMNS} FROM messages m JOIN (SELECT id FROM messages FORCE INDEX (idx_messages_chat_page) WHERE tenant_id = ? AND chat_id = ? AND create_time >= ? ORDER BY create_time, id LIMIT ? OFFSET ?) p ` +
          'ON p.id = m.id WHERE m.tenant_id = ? AND m.chat_id = ? ORDER BY m.create_time, m.id',
        [TENANT, chatId, start.fromMs, count, start.skip, TENANT, chatId],
      );
    }
  }
  const ids = rows.map((r) => r.id);
  const marks = new Map();
  const favorites = new Set();
  const inList = ids.map(() => '?').join(',');
  await Promise.all([
    body.needMark && ids.length > 0
      ? pool
          .query(
            `SELECT CAST(message_id AS CHAR) AS message_id, mark FROM message_marks WHERE tenant_id = ? AND chat_id = ? AND message_id IN (${inList}) ORDER BY create_time, mark`,
            [TENANT, chatId, ...ids],
          )
          .then(([marked]) => marked.forEach((r) => marks.set(r.message_id, [...(marks.get(r.message_id) ?? []), r.mark])))
      : null,
    body.needFavorite && ids.length > 0
      ? pool
          .query(
            `SELECT CAST(message_id AS CHAR) AS message_id FROM message_favorites FORCE INDEX (PRIMARY) WHERE operator_id = ? AND tenant_id = ? AND message_id IN (${inList})`,
            [OPERATOR, TENANT, ...ids],
          )
          .then(([faved]) => faved.forEach((r) => favorites.add(r.message_id)))
      : null,
  ]);
  const deadline = QINIU ? Math.floor(Date.now() / 1000) + QINIU.ttl : 0;
  const msg = rows.map((r) => {
    const m = {
      userMessageId: r.id,
      hxMsgId: r.hx_msg_id,
      form: r.from_user,
      to: r.to_user,
      type: TYPES.has(r.type) ? r.type : 'custom',
      msg: r.msg,
      url: r.url,
      filename: r.filename,
      thumb: r.thumb,
      secret: r.secret,
      thumb_secret: r.thumb_secret,
      length: num(r.length),
      file_length: num(r.file_length),
      addr: r.addr,
      lat: num(r.lat),
      lng: num(r.lng),
      createTime: shanghai(Number(r.create_time)),
      getUrl: QINIU && r.qiniu_key ? qiniuUrl(r.qiniu_key, deadline) : null,
      ext: ext(r.ext),
    };
    if (body.needFavorite) m.favorite = favorites.has(r.id);
    if (body.needMark) m.mark = marks.get(r.id) ?? [];
    return m;
  });
  const page = { total, page: pageNum, pageSize, count: msg.length, next: offset + msg.length < total, startIndex: offset };
  return { status: 200, envelope: { code: 200, message: '成功', data: { status: STATUS[chats[0].status], msg, chatId }, page } };
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    list(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'))
      .catch((error) => ({ status: 500, envelope: { code: 500, message: String(error.message), data: null } }))
      .then(({ status, envelope }) => {
        envelope.foot = { operationTime: shanghai(Date.now()), servicePhone: SERVICE_PHONE, host: HOST };
        const text = JSON.stringify(envelope);
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(env.FLOOR_PORT ?? 3999), '127.0.0.1', () => process.stderr.write(`floor listening on ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
