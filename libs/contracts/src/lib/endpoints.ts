/** Paths of the Op API (docs/CONTRACT.md §3 and §6). */
export const OP_API_PREFIX = '/op/v2';

export const OP_ENDPOINT_NAMES = [
  'chatMessageList',
  'chatCreate',
  'chatAssign',
  'chatStatusUpdate',
  'chatDetail',
  'chatSearch',
  'chatMessageSearch',
  'messageMarkAdd',
  'messageMarkRemove',
  'markList',
  'messageFavoriteAdd',
  'messageFavoriteRemove',
  'favoriteList',
  'auditList',
  'operatorLogin',
  'operatorLogout',
  'chatExport',
  'customerErase',
  'auditExport',
] as const;
export type OpEndpointName = (typeof OP_ENDPOINT_NAMES)[number];

export function opEndpointPath(name: OpEndpointName): string {
  return `${OP_API_PREFIX}/${name}`;
}
