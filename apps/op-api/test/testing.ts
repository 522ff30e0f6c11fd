// The API's test-support entry for other projects, published as `op-api/testing` (package.json
// "exports"): what the panel's end-to-end specs need to start the real API in-process and fill
// it. It is the only file of the API that another project may import, and only from its specs
// (.dependency-cruiser.cjs holds that): everything else under apps/op-api stays internal.
import { ChatRepository } from '../src/modules/chats/chat.repository';
import { DemoSeedService, type DemoCredentials } from '../src/modules/demo/demo-seed.service';
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
