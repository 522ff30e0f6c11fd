#!/usr/bin/env node
// The floor of the callback benchmark: bare node:http + mysql2, no framework, no signature
// check, no routing: each POST body is parsed and its message inserted as one row of a bare
// table in its own autocommit, then answered 200. What one INSERT per callback costs here.
//
//   OP_FLOOR_MYSQL_URL=mysql://root@127.0.0.1:3306/db OP_FLOOR_PORT=3999 node tools/bench/ingest-floor.js
const { createServer } = require('node:http');
const mysql = require('mysql2/promise');

async function main() {
  const pool = mysql.createPool({ uri: process.env.OP_FLOOR_MYSQL_URL, connectionLimit: 20, charset: 'utf8mb4' });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS floor_messages (id BIGINT AUTO_INCREMENT PRIMARY KEY, hx_msg_id VARCHAR(64) NOT NULL, from_user VARCHAR(128), to_user VARCHAR(128), ' +
      'msg TEXT, create_time BIGINT NOT NULL, UNIQUE KEY uk_floor_msg (hx_msg_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  );
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        await pool.execute('INSERT IGNORE INTO floor_messages (hx_msg_id, from_user, to_user, msg, create_time) VALUES (?, ?, ?, ?, ?)', [
          body.msg_id,
          body.from,
          body.to,
          body.payload?.bodies?.[0]?.msg ?? null,
          body.timestamp,
        ]);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"result":"stored"}');
      } catch {
        response.writeHead(500);
        response.end();
      }
    });
  });
  server.listen(Number(process.env.OP_FLOOR_PORT), '127.0.0.1', () => process.stderr.write('floor ready\n'));
  process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
