import { Injectable } from '@nestjs/common';
import {
  AuditExportRequest,
  AuditListRequest,
  ChatExportRequest,
  CustomerEraseRequest,
  ChatAssignRequest,
  ChatCreateRequest,
  ChatDetailRequest,
  ChatMessageListRequest,
  ChatMessageSearchRequest,
  ChatSearchRequest,
  ChatStatusUpdateRequest,
  FavoriteListRequest,
  MessageFavoriteRequest,
  MessageMarkRequest,
  OP_API_PREFIX,
  OperatorLoginRequest,
  type OpEndpointName,
} from '@op/contracts';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';

/** Every signed endpoint, its request class and what its `data` holds (docs/CONTRACT.md §3, §6). */
const ENDPOINTS: Record<OpEndpointName, { request: (new () => object) | null; summary: string; data: string; paged?: boolean }> = {
  chatMessageList: { request: ChatMessageListRequest, summary: '2.37 当前会话信息：一页消息', data: '{status, msg: [message], chatId}', paged: true },
  chatCreate: { request: ChatCreateRequest, summary: '为客户创建或返回进行中的会话', data: '<chat> + created' },
  chatAssign: { request: ChatAssignRequest, summary: '分配或转接会话', data: '<chat>' },
  chatStatusUpdate: { request: ChatStatusUpdateRequest, summary: '变更会话状态（仅合法变更）', data: '<chat>' },
  chatDetail: { request: ChatDetailRequest, summary: '会话详情', data: '<chat>' },
  chatSearch: { request: ChatSearchRequest, summary: '会话搜索', data: '{chats: [<chat> + hits], window, totalCapped}', paged: true },
  chatMessageSearch: { request: ChatMessageSearchRequest, summary: '会话内查找：含关键词的消息（按会话顺序）', data: '{chatId, hits: [hit], window}', paged: true },
  messageMarkAdd: { request: MessageMarkRequest, summary: '添加消息标记', data: '{userMessageId, mark: [...]}' },
  messageMarkRemove: { request: MessageMarkRequest, summary: '移除消息标记', data: '{userMessageId, mark: [...]}' },
  markList: { request: null, summary: '租户的标记及数量', data: '{marks: [{mark, count}]}' },
  messageFavoriteAdd: { request: MessageFavoriteRequest, summary: '收藏消息', data: '{userMessageId, favorite}' },
  messageFavoriteRemove: { request: MessageFavoriteRequest, summary: '取消收藏', data: '{userMessageId, favorite}' },
  favoriteList: { request: FavoriteListRequest, summary: '我的收藏', data: '{favorites: [{favoriteTime, message, chat}]}', paged: true },
  auditList: { request: AuditListRequest, summary: '审计记录（管理员）', data: '{records: [...]}', paged: true },
  operatorLogin: { request: OperatorLoginRequest, summary: '坐席登录（无需 token）', data: '{token, expiresAt, operator}' },
  operatorLogout: { request: null, summary: '坐席登出', data: 'null' },
  chatExport: { request: ChatExportRequest, summary: '导出会话记录（成功时为文件：jsonl、csv 或 html，不是信封）', data: '文件' },
  customerErase: { request: CustomerEraseRequest, summary: '删除客户的全部会话与消息（管理员，不可恢复）', data: '{customerId, chats, messages, marks, favorites}' },
  auditExport: { request: AuditExportRequest, summary: '导出时间范围内的审计记录 CSV（管理员；成功时为文件）', data: '文件' },
};

const SIGNED_QUERY = ['apiVersion', 'client', 'token', 'timestamp', 'nonce', 'sign'].map((name) => ({
  name,
  in: 'query',
  required: name !== 'nonce' && name !== 'token',
  schema: { type: 'string' },
  description: {
    apiVersion: '只支持 01',
    client: 'API 客户端 ID',
    token: '坐席令牌（operatorLogin 除外，必填）',
    timestamp: 'Unix 秒，与服务器时间相差不超过 300 秒',
    nonce: '可选；同一 client 600 秒内不可重复',
    sign: 'hmac-sha256 或 md5 签名（CONTRACT.md §1）',
  }[name],
}));

/** The OpenAPI 3.1 description of every endpoint, built from the contracts' own validation rules. */
@Injectable()
export class OpenApiService {
  private cached?: object;

  document(): object {
    this.cached ??= this.build();
    return this.cached;
  }

  private build(): object {
    const schemas = validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' });
    const envelope = {
      type: 'object',
      required: ['code', 'message', 'data', 'foot'],
      properties: {
        code: { type: 'integer' },
        message: { type: 'string' },
        data: {},
        page: { type: 'object' },
        foot: { type: 'object' },
      },
    };
    const paths: Record<string, object> = {};
    for (const [name, endpoint] of Object.entries(ENDPOINTS)) {
      paths[`${OP_API_PREFIX}/${name}`] = {
        post: {
          operationId: name,
          summary: endpoint.summary,
          parameters: SIGNED_QUERY,
          requestBody: {
            required: endpoint.request !== null,
            content: {
              'application/json': {
                schema: endpoint.request ? { $ref: `#/components/schemas/${endpoint.request.name}` } : { type: 'object' },
              },
            },
          },
          responses: {
            '200': {
              description: `信封；data: ${endpoint.data}${endpoint.paged ? '；带 page 分页信息' : ''}`,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Envelope' } } },
            },
            default: { description: '错误信封：code 与 HTTP 状态相同，message 指明字段', content: { 'application/json': { schema: { $ref: '#/components/schemas/Envelope' } } } },
          },
        },
      };
    }
    paths['/hx/callback'] = {
      post: {
        operationId: 'easemobCallback',
        summary: '环信发送后回调（由 security 字段校验，不用 /op/v2 签名）',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: { '200': { description: '已存储、重复、撤回或忽略' }, '401': { description: 'appkey 未注册或 security 错误' }, '503': { description: '数据库不可用，环信会重试' } },
      },
    };
    for (const [path, summary] of [['/healthz', '存活检查'], ['/readyz', '就绪检查（数据库可用）'], ['/metrics', 'Prometheus 指标'], ['/openapi.json', '本文档']]) {
      paths[path] = { get: { summary, responses: { '200': { description: 'OK' } } } };
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Op API', version: '01', description: '客服平台坐席接口（CONTRACT.md）' },
      paths,
      components: { schemas: { ...schemas, Envelope: envelope } },
    };
  }
}
