import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { ReadReplicas } from '../../database/read-replicas';

interface MysqlPoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

export interface SpoolStatus {
  entries: number;
  bytes: number;
  oldestAgeSeconds: number;
  full: boolean;
}

/** Prometheus metrics: requests per route and code, callback outcomes, database pool use. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'op_http_requests_total',
    help: 'HTTP requests by route, method and response code',
    labelNames: ['route', 'method', 'code'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'op_http_request_duration_seconds',
    help: 'HTTP request latency by route, method and response code',
    labelNames: ['route', 'method', 'code'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly callbacks = new Counter({
    name: 'op_easemob_callbacks_total',
    help: 'Easemob callbacks by outcome (stored, duplicate, recalled, ignored, rejected)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly spoolEvents = new Counter({
    name: 'op_callback_spool_events_total',
    help: 'Callback journal events: spooled (journalled instead of stored), drained (stored from the journal), rejected (set aside), full (refused: journal full)',
    labelNames: ['event'],
    registers: [this.registry],
  });

  readonly renumbered = new Counter({
    name: 'op_chat_renumbered_messages_total',
    help: 'Messages given their position in their chat by the background renumbering (after messages arrived out of order)',
    registers: [this.registry],
  });

  /** Chats waiting for their renumbering in this process, read at each scrape. */
  registerRenumbering(pending: () => number): void {
    new Gauge({
      name: 'op_chat_renumber_pending',
      help: 'Chats whose messages this process is numbering again, or will (asked for by 2.37 reads)',
      registers: [this.registry],
      collect() {
        this.set(pending());
      },
    });
  }

  /** The callback journal's state, for /readyz; null where no journal runs (the CLI). */
  spoolStatus: (() => SpoolStatus) | null = null;

  /** Depth and age of the callback journal (issue 13), read at each scrape. */
  registerSpool(status: () => SpoolStatus): void {
    this.spoolStatus = status;
    const gauge = (name: string, help: string, read: (s: ReturnType<typeof status>) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read(status()));
        },
      });
    gauge('op_callback_spool_entries', 'Callbacks journalled and not yet stored in the database', (s) => s.entries);
    gauge('op_callback_spool_bytes', 'Bytes of journal not yet stored', (s) => s.bytes);
    gauge(
      'op_callback_spool_oldest_age_seconds',
      'Age of the oldest journalled callback not yet stored (0 when none)',
      (s) => s.oldestAgeSeconds,
    );
  }

  constructor(dataSource: DataSource, replicas: ReadReplicas) {
    collectDefaultMetrics({ register: this.registry, prefix: 'op_' });
    if (replicas.configured) this.registerReplicas(replicas);
    const pool = () => (dataSource.driver as unknown as { pool?: MysqlPoolInternals }).pool;
    new Gauge({
      name: 'op_db_pool_connections',
      help: 'Database pool connections by state (MySQL; SQLite has one connection)',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p) return;
        const all = p._allConnections?.length ?? 0;
        const free = p._freeConnections?.length ?? 0;
        this.set({ state: 'open' }, all);
        this.set({ state: 'busy' }, all - free);
        this.set({ state: 'waiting' }, p._connectionQueue?.length ?? 0);
        this.set({ state: 'limit' }, p.config?.connectionLimit ?? 0);
      },
    });
  }

  /** Each replica's state, lag and use (OP_DATABASE_REPLICA_URLS), read at each scrape. */
  private registerReplicas(replicas: ReadReplicas): void {
    const registers = [this.registry];
    const labelNames = ['replica'];
    new Gauge({
      name: 'op_replica_serving',
      help: 'Whether the replica answers reads: 1 serving, 0 behind (lag over OP_REPLICA_MAX_LAG_MS) or down',
      labelNames,
      registers,
      collect() {
        for (const r of replicas.status()) this.set({ replica: r.replica }, r.state === 'serving' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'op_replica_lag_seconds',
      help: "Age of this process's heartbeat as the replica holds it (-1 before the first arrived)",
      labelNames,
      registers,
      collect() {
        for (const r of replicas.status()) this.set({ replica: r.replica }, r.lagMs === null ? -1 : r.lagMs / 1000);
      },
    });
    new Counter({
      name: 'op_replica_requests_total',
      help: 'Review reads (2.37, chatSearch, chatDetail, markList, favoriteList, auditList) by where they read: a replica, or "primary"',
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const r of replicas.status()) this.inc({ replica: r.replica }, r.requests);
        this.inc({ replica: 'primary' }, replicas.primaryRequests);
      },
    });
    new Counter({
      name: 'op_replica_failures_total',
      help: 'Reads that failed on a replica and were answered by the primary',
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const r of replicas.status()) this.inc({ replica: r.replica }, r.failures);
      },
    });
  }

  /** Counts and times every response Fastify sends, errors and unknown routes included. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const labels = { route: request.routeOptions.url ?? 'unmatched', method: request.method, code: String(reply.statusCode) };
      this.requests.inc(labels);
      this.latency.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }
}
