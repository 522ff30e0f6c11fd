/** Paths of the Op API (CONTRACT.md). */
export const OP_API_PREFIX = '/op/v2';

export const OpEndpoint = {
  chatMessageList: `${OP_API_PREFIX}/chatMessageList`,
} as const;
export type OpEndpointName = keyof typeof OpEndpoint;
