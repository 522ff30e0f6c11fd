// Node-only entry point (`@op/contracts/node`): request signing and a typed client.
export * from './signer';
export * from './op-client';
