import type { ChatInfo } from './chat';
import {
  ChatAssignRequest,
  ChatCreateRequest,
  ChatDetailRequest,
  ChatStatusUpdateRequest,
  type ChatCreateResult,
} from './chat-lifecycle.request';
import type { ChatMessageListData } from './chat-message';
import type { CustomerListData, OperatorListData } from './directory';
import { CustomerListRequest } from './directory.request';
import type { EasemobGapsData } from './easemob-gaps';
import { EasemobGapsRequest } from './easemob-gaps.request';
import { ChatMessageListRequest } from './chat-message-list.request';
import { OperatorLoginRequest, type OperatorLoginResult, type OperatorRole } from './operator-login.request';
import type {
  AuditListData,
  ChatMessageSearchData,
  ChatSearchData,
  FavoriteListData,
  MarkListData,
  MessageFavoriteData,
  MessageMarkData,
} from './search-marks-audit';
import {
  AuditListRequest,
  ChatMessageSearchRequest,
  ChatSearchRequest,
  FavoriteListRequest,
  MessageFavoriteRequest,
  MessageMarkRequest,
} from './search-marks-audit.request';
import type { CustomerEraseData } from './trust';
import { AuditExportRequest, ChatExportRequest, CustomerEraseRequest, EXPORT_CONTENT_TYPES } from './trust.request';

/**
 * The Op API's endpoints, once (docs/CONTRACT.md §3, §6, §7). Everything else derives from here: the
 * API's routes (`@OpEndpoint(name)`), `OpClient`'s methods, and the served OpenAPI document.
 *
 * The registry has two halves keyed by the same names, checked against each other below:
 * - {@link OP_ENDPOINTS}, what exists at run time: the request class (its class-validator rules
 *   are the request schema), who may call, paging, how success is answered, the summary;
 * - {@link OpEndpointData}, what exists only for the compiler: the type of each envelope's `data`.
 *   The response schemas (`response-schemas.generated.ts`) are generated from this interface.
 */

export const OP_API_PREFIX = '/op/v2';

export type OpRequestClass = new () => object;

/** Every operator role. */
const ANY_OPERATOR = ['agent', 'admin'] as const satisfies readonly OperatorRole[];
const ADMIN_ONLY = ['admin'] as const satisfies readonly OperatorRole[];

/** How an endpoint is declared below; {@link opEndpoint} fills in the defaults. */
interface OpEndpointDeclaration {
  /** The body's class-validator DTO, or null when the endpoint reads no body. */
  readonly request: OpRequestClass | null;
  /** The operator roles allowed to call (the services enforce it). Default: every role. */
  readonly roles?: readonly OperatorRole[];
  /** False for the one signed call made without an operator token (sign-in). Default: true. */
  readonly token?: boolean;
  /** The envelope carries `page` (docs/CONTRACT.md §2). Default: false. */
  readonly paged?: boolean;
  /** Success is a file of one of these media types, not the envelope (errors stay the envelope). */
  readonly file?: readonly string[];
  /** What the endpoint does, in Chinese as the API speaks. */
  readonly summary: string;
}

export const OP_ENDPOINTS = {
  chatMessageList: { request: ChatMessageListRequest, paged: true, summary: '2.37 当前会话信息：一页消息' },
  chatCreate: { request: ChatCreateRequest, summary: '为客户创建或返回进行中的会话' },
  chatAssign: { request: ChatAssignRequest, summary: '分配或转接会话' },
  chatStatusUpdate: { request: ChatStatusUpdateRequest, summary: '变更会话状态（仅合法变更）' },
  chatDetail: { request: ChatDetailRequest, summary: '会话详情' },
  chatSearch: { request: ChatSearchRequest, paged: true, summary: '会话搜索' },
  chatMessageSearch: { request: ChatMessageSearchRequest, paged: true, summary: '会话内查找：含关键词的消息（按会话顺序）' },
  messageMarkAdd: { request: MessageMarkRequest, summary: '添加消息标记' },
  messageMarkRemove: { request: MessageMarkRequest, summary: '移除消息标记' },
  markList: { request: null, summary: '租户的标记及数量' },
  messageFavoriteAdd: { request: MessageFavoriteRequest, summary: '收藏消息' },
  messageFavoriteRemove: { request: MessageFavoriteRequest, summary: '取消收藏' },
  favoriteList: { request: FavoriteListRequest, paged: true, summary: '我的收藏' },
  auditList: { request: AuditListRequest, roles: ADMIN_ONLY, paged: true, summary: '审计记录（管理员）' },
  operatorLogin: { request: OperatorLoginRequest, token: false, summary: '坐席登录（无需 token）' },
  operatorLogout: { request: null, summary: '坐席登出' },
  operatorList: { request: null, summary: '租户的坐席（按用户名；客服只得到自己）' },
  customerList: { request: CustomerListRequest, summary: '按前缀列出租户会话中的客户（按客户 ID；客服只看到自己会话的客户）' },
  chatExport: {
    request: ChatExportRequest,
    file: Object.values(EXPORT_CONTENT_TYPES),
    summary: '导出会话记录（成功时为文件：jsonl、csv 或 html，不是信封）',
  },
  customerErase: { request: CustomerEraseRequest, roles: ADMIN_ONLY, summary: '删除客户的全部会话与消息（管理员，不可恢复）' },
  auditExport: {
    request: AuditExportRequest,
    roles: ADMIN_ONLY,
    file: ['text/csv; charset=utf-8'],
    summary: '导出时间范围内的审计记录 CSV（管理员；成功时为文件）',
  },
  easemobGaps: {
    request: EasemobGapsRequest,
    roles: ADMIN_ONLY,
    summary: '归档完整性：时间范围内未与环信历史消息对账完成的小时（管理员）',
  },
} as const satisfies Record<string, OpEndpointDeclaration>;

export type OpEndpointName = keyof typeof OP_ENDPOINTS;

export const OP_ENDPOINT_NAMES = Object.keys(OP_ENDPOINTS) as readonly OpEndpointName[];

/** Endpoints whose success is a file (`chatExport`, `auditExport`). */
export type OpFileEndpointName = {
  [K in OpEndpointName]: (typeof OP_ENDPOINTS)[K] extends { file: readonly string[] } ? K : never;
}[OpEndpointName];
/** Endpoints whose success is the JSON envelope. */
export type OpEnvelopeEndpointName = Exclude<OpEndpointName, OpFileEndpointName>;

/**
 * What the envelope's `data` holds on success, for every envelope endpoint (the type half of
 * the registry). Keep each value a named, exported type: the response schemas are generated
 * from this interface and name their definitions after those types.
 */
export interface OpEndpointData {
  chatMessageList: ChatMessageListData;
  chatCreate: ChatCreateResult;
  chatAssign: ChatInfo;
  chatStatusUpdate: ChatInfo;
  chatDetail: ChatInfo;
  chatSearch: ChatSearchData;
  chatMessageSearch: ChatMessageSearchData;
  messageMarkAdd: MessageMarkData;
  messageMarkRemove: MessageMarkData;
  markList: MarkListData;
  messageFavoriteAdd: MessageFavoriteData;
  messageFavoriteRemove: MessageFavoriteData;
  favoriteList: FavoriteListData;
  auditList: AuditListData;
  operatorLogin: OperatorLoginResult;
  operatorLogout: null;
  operatorList: OperatorListData;
  customerList: CustomerListData;
  customerErase: CustomerEraseData;
  easemobGaps: EasemobGapsData;
}

// The two halves name the same endpoints: a name missing from either side fails to compile here.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameEndpoints: Exactly<keyof OpEndpointData, OpEnvelopeEndpointName> = true;
void _sameEndpoints;

/** The body an endpoint takes: its request class's instance, or nothing. */
export type OpRequest<K extends OpEndpointName> = (typeof OP_ENDPOINTS)[K]['request'] extends new () => infer R ? R : undefined;

/** An endpoint with its defaults filled in. */
export interface OpEndpoint {
  name: OpEndpointName;
  path: string;
  request: OpRequestClass | null;
  roles: readonly OperatorRole[];
  token: boolean;
  paged: boolean;
  /** The media types of a file answer; null for the envelope. */
  file: readonly string[] | null;
  summary: string;
}

export function opEndpoint(name: OpEndpointName): OpEndpoint {
  const declared: OpEndpointDeclaration = OP_ENDPOINTS[name];
  return {
    name,
    path: opEndpointPath(name),
    request: declared.request,
    roles: declared.roles ?? ANY_OPERATOR,
    token: declared.token ?? true,
    paged: declared.paged ?? false,
    file: declared.file ?? null,
    summary: declared.summary,
  };
}

export function opEndpointPath(name: OpEndpointName): string {
  return `${OP_API_PREFIX}/${name}`;
}
