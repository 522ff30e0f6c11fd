import { SPHINX_DISTRIBUTED_INDEX, SPHINX_RT_INDEX } from './sphinx.engine';

export interface SphinxNode {
  host: string;
  /** SphinxQL (mysql41) port: what the API talks to (OP_SPHINX_SHARDS, OP_SPHINX_SEARCH). */
  sqlPort: number;
  /** Native API port: what distributed indexes use to reach their agents. */
  apiPort: number;
}

/**
 * The `sphinx.conf` of one node of the search tier (Sphinx 2.2 or Manticore): its shard of
 * the messages in the real-time index `op_messages` (the schema the API writes), and the
 * distributed index `op_search` over every node's shard, so any node can answer a read.
 * `opctl search:sphinx-config` prints it; the tests start their nodes from it.
 */
export function sphinxNodeConfig(options: { dataDir: string; node: SphinxNode; nodes: readonly SphinxNode[]; memLimit?: string }): string {
  const { dataDir, node, nodes } = options;
  const agents = nodes
    .filter((other) => other.host !== node.host || other.apiPort !== node.apiPort)
    .map((other) => `  agent = ${other.host}:${other.apiPort}:${SPHINX_RT_INDEX}`);
  return [
    `index ${SPHINX_RT_INDEX}`,
    '{',
    '  type = rt',
    `  path = ${dataDir}/${SPHINX_RT_INDEX}`,
    // The words of search-tokens.ts: b (pairs), u (single characters), k (tenant and chat keys).
    '  rt_field = b',
    '  rt_field = u',
    '  rt_field = k',
    '  rt_attr_bigint = tenant_hash',
    '  rt_attr_bigint = chat_hash',
    '  rt_attr_string = chat',
    '  rt_attr_bigint = ctime',
    `  rt_mem_limit = ${options.memLimit ?? '256M'}`,
    '  dict = keywords',
    '  charset_table = 0..9, a..z',
    '  min_word_len = 1',
    '}',
    '',
    `index ${SPHINX_DISTRIBUTED_INDEX}`,
    '{',
    '  type = distributed',
    `  local = ${SPHINX_RT_INDEX}`,
    ...agents,
    '  agent_connect_timeout = 1000',
    '  agent_query_timeout = 10000',
    '}',
    '',
    'searchd',
    '{',
    `  listen = ${node.host}:${node.sqlPort}:mysql41`,
    `  listen = ${node.host}:${node.apiPort}`,
    // Each read through op_search connects to every other node's API port: at searchd's default
    // backlog of 5, 40 concurrent searches overflowed it, a connect waited out
    // agent_connect_timeout and the shard was left out of the answer.
    '  listen_backlog = 256',
    `  log = ${dataDir}/searchd.log`,
    `  query_log = ${dataDir}/query.log`,
    `  pid_file = ${dataDir}/searchd.pid`,
    `  binlog_path = ${dataDir}`,
    // Every REPLACE is on disk before it is acknowledged, so the outbox row can go.
    '  binlog_flush = 1',
    '  workers = threads',
    // One message's entry may be 10 MB: 64 KiB of ﷺ (U+FDFA) is 393,210 characters once
    // normalised, each a pair and a single-character word. Past the 8 MiB default, searchd
    // dropped the connection on it, and the feeder, which retries its batch, stopped for good.
    '  max_packet_size = 32M',
    '  read_timeout = 5',
    '  client_timeout = 300',
    '}',
    '',
  ].join('\n');
}
