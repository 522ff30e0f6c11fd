// The API's test-support entry for other projects, published as `op-api/testing` (package.json
// "exports"): what the panel's end-to-end specs need to start the real API in-process and fill
// it. It is the only file of the API that another project may import, and only from its specs
// (.dependency-cruiser.cjs holds that): everything else under apps/op-api stays internal.
import { ChatRepository } from '../src/modules/chats/chat.repository';
import { DemoSeedService, type DemoCredentials } from '../src/modules/demo/demo-seed.service';
import { ReconcileService } from '../src/modules/importer/reconcile.service';
import type { TestApp } from './support/test-app';

export { startTestApp, type TestApp, type TestTenant } from './support/test-app';
export { record, type RecordOptions } from './support/records';
export { freePort } from './support/processes';
export { DEMO_CHAT_ID, DEMO_CUSTOMER, DEMO_LONG_CHAT_ID } from '../src/modules/demo/demo-data';
export type { DemoCredentials };

/** Loads the demo a newcomer gets from `npm start` (tenant, operators, chats) into a test API. */
export function seedDemo(api: TestApp): Promise<DemoCredentials> {
  return new DemoSeedService(
    api.dataSource,
    api.tenants,
    api.clients,
    api.operators,
    api.tokens,
    api.importer,
    api.app.get(ChatRepository),
  ).seed();
}

let runIds = 0;

/**
 * Records one reconciliation run of an app's hour (the hour that holds `hourStart`, epoch ms)
 * as ReconcileService writes it, without asking Easemob: for the panel's specs of easemobGaps.
 * Returns the hour as Easemob names it (`yyyyMMddHH`).
 */
export async function recordReconcileRun(
  api: TestApp,
  run: { tenantId: string; appkey: string; hourStart: number; status: 'running' | 'ok' | 'partial' | 'failed'; error?: string },
): Promise<string> {
  const hour = api.app.get(ReconcileService).hourOf(run.hourStart);
  // An ok run as the schedule's retry records it once Easemob's export is final (three hours
  // and ten minutes in: OP_RECONCILE_SETTLE_HOURS of 2); any other at minute 10 of the next hour.
  const started = run.hourStart + (run.status === 'ok' ? 3 : 1) * 3_600_000 + 600_000;
  await api.dataSource.query(
    'INSERT INTO easemob_reconcile_runs (id, tenant_id, appkey, hour, trigger_kind, status, in_export, already_stored, added, failed, error, start_time, finish_time) ' +
      "VALUES (?, ?, ?, ?, 'schedule', ?, 0, 0, 0, 0, ?, ?, ?)",
    [
      String(9_000_000_000_000 + ++runIds),
      run.tenantId,
      run.appkey,
      hour,
      run.status,
      run.error ?? null,
      started,
      run.status === 'running' ? null : started + 2_000,
    ],
  );
  return hour;
}
