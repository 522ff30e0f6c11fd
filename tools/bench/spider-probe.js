#!/usr/bin/env node
/*
 * What MariaDB Spider does with 2.37's queries (issue 14; a probe that prints, it asserts nothing).
 *
 *   node tools/bench/spider-probe.js
 *
 * Three private mariadbd: two backends and a Spider front (Debian's mariadb-plugin-spider) whose
 * `messages` is PARTITION BY KEY (tenant_id) over the two. Loads 2,000 rows of four tenants
 * through the front, then prints where they landed, the answer and the EXPLAIN of a page query
 * with its index hint, a position count, what the backends' general logs received, and whether
 * a primary key without tenant_id can be partitioned. Findings: docs/scaling.md (Shards).
 */
const { privateMariaDb } = require('./lib/private-mariadb');
(async () => {
  const b = [await privateMariaDb({ name: 'sp-b1' }), await privateMariaDb({ name: 'sp-b2' })];
  const f = await privateMariaDb({ name: 'sp-front', args: ['--skip-log-bin', '--plugin-load-add=ha_spider'] });
  try {
    const table = `CREATE TABLE messages (id BIGINT NOT NULL, tenant_id VARCHAR(32) NOT NULL, chat_id VARCHAR(64) NOT NULL, create_time BIGINT NOT NULL, msg TEXT, PRIMARY KEY (tenant_id, id), KEY idx_messages_chat_page (tenant_id, chat_id, create_time, id)) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin`;
    for (const x of b) {
      const c = await x.connect({ multipleStatements: true });
      await c.query(`CREATE DATABASE op; USE op; ${table}; SET GLOBAL general_log_file='${x.dir}/general.log'; SET GLOBAL general_log=1;`);
      for (const h of ['127.0.0.1', 'localhost'])
        await c.query(`CREATE USER 'spider'@'${h}' IDENTIFIED BY 'sp'; GRANT ALL ON *.* TO 'spider'@'${h}'`);
      await c.end();
    }
    const c = await f.connect({ multipleStatements: true });
    console.log((await c.query("SELECT PLUGIN_NAME, PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'SPIDER%'"))[0]);
    console.log((await c.query('SELECT VERSION() v'))[0]);
    await c.query(
      `CREATE DATABASE op; USE op;` +
        b
          .map(
            (x, i) =>
              `CREATE SERVER b${i} FOREIGN DATA WRAPPER mysql OPTIONS (HOST '127.0.0.1', PORT ${x.port}, USER 'spider', PASSWORD 'sp', DATABASE 'op');`,
          )
          .join('') +
        table.replace(') DEFAULT CHARSET', `) ENGINE=SPIDER COMMENT='wrapper "mysql", table "messages"' DEFAULT CHARSET`) +
        ` PARTITION BY KEY (tenant_id) (PARTITION p0 COMMENT = 'srv "b0"', PARTITION p1 COMMENT = 'srv "b1"')`,
    );
    const rows = [];
    for (let i = 0; i < 2000; i++) rows.push([1e12 + i, `t${i % 4}`, `c${i % 10}`, 1.7e12 + i, `m${i}`]);
    await c.query('INSERT INTO messages (id, tenant_id, chat_id, create_time, msg) VALUES ?', [rows]);
    for (const x of b) {
      const d = await x.connect();
      console.log('backend', x.port, (await d.query('SELECT tenant_id, COUNT(*) n FROM op.messages GROUP BY tenant_id'))[0]);
      await d.end();
    }
    const q =
      "SELECT id, msg FROM messages FORCE INDEX (idx_messages_chat_page) WHERE tenant_id = 't1' AND chat_id = 'c1' ORDER BY create_time, id LIMIT 5 OFFSET 10";
    console.log((await c.query(q))[0]);
    console.log((await c.query('EXPLAIN ' + q))[0]);
    const d = await c.query(
      "SELECT COUNT(*) n FROM messages WHERE tenant_id = 't1' AND chat_id = 'c1' AND (create_time, id) < (1700000000500, 1000000000500)",
    );
    console.log(d[0]);
    // a PK without tenant_id?
    try {
      await c.query(
        `CREATE TABLE bad (id BIGINT PRIMARY KEY, tenant_id VARCHAR(32) NOT NULL) ENGINE=SPIDER PARTITION BY KEY (tenant_id) (PARTITION p0 COMMENT = 'srv "b0"', PARTITION p1 COMMENT = 'srv "b1"')`,
      );
      console.log('bad created');
    } catch (e) {
      console.log('bad:', e.code, e.message);
    }
    await c.end();
    await new Promise((r) => setTimeout(r, 500));
    const fs = require('fs');
    for (const x of b)
      console.log(
        '--- backend log',
        x.port,
        '\n' +
          fs
            .readFileSync(`${x.dir}/general.log`, 'utf8')
            .split('\n')
            .filter((l) => /select/i.test(l) && /messages/.test(l))
            .slice(-6)
            .join('\n'),
      );
  } finally {
    for (const x of [...b, f]) await x.destroy();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
