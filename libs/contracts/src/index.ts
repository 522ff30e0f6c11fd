// Browser-safe entry point: no Node built-ins, no server dependencies.
export * from './lib/chat-status';
export * from './lib/envelope';
export * from './lib/signing';
export * from './lib/chat-message';
export * from './lib/chat-message-list.request';
export * from './lib/endpoints';
export * from './lib/response-schemas.generated';
export * from './lib/chat';
export * from './lib/chat-lifecycle.request';
export * from './lib/operator-login.request';
export * from './lib/search-marks-audit.request';
export * from './lib/search-marks-audit';
export * from './lib/search-text';
export * from './lib/trust.request';
export * from './lib/trust';
export * from './lib/time';
