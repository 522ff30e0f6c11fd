import { randomBytes } from 'node:crypto';
import type { ChatMessageListRequest } from '../lib/chat-message-list.request';
import type { ChatMessageListData } from '../lib/chat-message';
import type {
  AuditListData,
  ChatMessageSearchData,
  ChatSearchData,
  FavoriteListData,
  MarkListData,
  MessageFavoriteData,
  MessageMarkData,
} from '../lib/search-marks-audit';
import type {
  AuditListRequest,
  ChatMessageSearchRequest,
  ChatSearchRequest,
  FavoriteListRequest,
  MessageFavoriteRequest,
  MessageMarkRequest,
} from '../lib/search-marks-audit.request';
import type { AuditExportRequest, ChatExportRequest, CustomerEraseRequest } from '../lib/trust.request';
import type { CustomerEraseData } from '../lib/trust';
import { OP_API_PREFIX } from '../lib/endpoints';
import { API_VERSION, type Envelope } from '../lib/envelope';
import { DEFAULT_SIGN_METHOD, type SignMethod } from '../lib/signing';
import { signRequest } from './signer';

export interface OpClientOptions {
  /** e.g. `http://127.0.0.1:3000` */
  baseUrl: string;
  clientId: string;
  secret: string;
  signMethod?: SignMethod;
  /** The operator token sent with every call unless a call gives its own. */
  token?: string;
  /** Send a fresh random nonce with every call (replay protection). Default true. */
  nonce?: boolean;
  /** Clock used for `timestamp`, in ms; for tests. */
  now?: () => number;
  /** Extra request headers sent with every call (the admin panel's `x-op-user-ip`). */
  headers?: Record<string, string>;
}

export interface CallOptions {
  token?: string | null;
  nonce?: string | null;
  timestamp?: number;
}

export interface SignedRequest {
  url: string;
  query: Record<string, string>;
  body: string;
}

export interface OpResponse<T> {
  status: number;
  envelope: Envelope<T>;
}

/** An Op API error envelope, thrown by the typed helpers of {@link OpClient}. */
export class OpApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'OpApiError';
  }
}

/** Signs and sends Op API calls (docs/CONTRACT.md §1). */
export class OpClient {
  constructor(private readonly options: OpClientOptions) {}

  /** Builds the signed URL and body of a call without sending it. */
  signedRequest(name: string, body: unknown, call: CallOptions = {}): SignedRequest {
    const path = `${OP_API_PREFIX}/${name}`;
    const now = this.options.now ?? Date.now;
    const query: Record<string, string> = {
      apiVersion: API_VERSION,
      client: this.options.clientId,
      timestamp: String(call.timestamp ?? Math.floor(now() / 1000)),
    };
    const token = call.token === undefined ? this.options.token : call.token;
    if (token) query.token = token;
    const nonce = call.nonce === undefined ? (this.options.nonce === false ? null : randomBytes(12).toString('hex')) : call.nonce;
    if (nonce) query.nonce = nonce;
    const raw = body === undefined ? '' : JSON.stringify(body);
    const sign = signRequest({ method: 'POST', path, query, body: raw }, this.options.secret, this.options.signMethod ?? DEFAULT_SIGN_METHOD);
    const search = new URLSearchParams({ ...query, sign });
    return { url: `${this.options.baseUrl.replace(/\/$/, '')}${path}?${search.toString()}`, query: { ...query, sign }, body: raw };
  }

  /** Sends a call and returns the HTTP status and the envelope, whatever the code. */
  async call<T>(name: string, body: unknown, call: CallOptions = {}): Promise<OpResponse<T>> {
    const request = this.signedRequest(name, body, call);
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { ...this.options.headers, 'content-type': 'application/json; charset=utf-8' },
      body: request.body,
    });
    return { status: response.status, envelope: (await response.json()) as Envelope<T> };
  }

  /** Sends a call and returns the whole envelope, throwing {@link OpApiError} on an error code. */
  async expect<T>(name: string, body: unknown, call: CallOptions = {}): Promise<Envelope<T>> {
    const { envelope } = await this.call<T>(name, body, call);
    if (envelope.code !== 200) throw new OpApiError(envelope.code, envelope.message);
    return envelope;
  }

  /** 2.37: one page of a chat's messages. */
  chatMessageList(body: ChatMessageListRequest, call?: CallOptions): Promise<Envelope<ChatMessageListData>> {
    return this.expect<ChatMessageListData>('chatMessageList', body, call);
  }

  chatSearch(body: ChatSearchRequest, call?: CallOptions): Promise<Envelope<ChatSearchData>> {
    return this.expect<ChatSearchData>('chatSearch', body, call);
  }

  /** Find in one chat: its messages holding the keyword, in chat order. */
  chatMessageSearch(body: ChatMessageSearchRequest, call?: CallOptions): Promise<Envelope<ChatMessageSearchData>> {
    return this.expect<ChatMessageSearchData>('chatMessageSearch', body, call);
  }

  messageMarkAdd(body: MessageMarkRequest, call?: CallOptions): Promise<Envelope<MessageMarkData>> {
    return this.expect<MessageMarkData>('messageMarkAdd', body, call);
  }

  messageMarkRemove(body: MessageMarkRequest, call?: CallOptions): Promise<Envelope<MessageMarkData>> {
    return this.expect<MessageMarkData>('messageMarkRemove', body, call);
  }

  markList(call?: CallOptions): Promise<Envelope<MarkListData>> {
    return this.expect<MarkListData>('markList', {}, call);
  }

  messageFavoriteAdd(body: MessageFavoriteRequest, call?: CallOptions): Promise<Envelope<MessageFavoriteData>> {
    return this.expect<MessageFavoriteData>('messageFavoriteAdd', body, call);
  }

  messageFavoriteRemove(body: MessageFavoriteRequest, call?: CallOptions): Promise<Envelope<MessageFavoriteData>> {
    return this.expect<MessageFavoriteData>('messageFavoriteRemove', body, call);
  }

  favoriteList(body: FavoriteListRequest = {}, call?: CallOptions): Promise<Envelope<FavoriteListData>> {
    return this.expect<FavoriteListData>('favoriteList', body, call);
  }

  /** Admins only. */
  auditList(body: AuditListRequest = {}, call?: CallOptions): Promise<Envelope<AuditListData>> {
    return this.expect<AuditListData>('auditList', body, call);
  }

  /** Admins only: erases every chat of the customer and everything in them. Irreversible. */
  customerErase(body: CustomerEraseRequest, call?: CallOptions): Promise<Envelope<CustomerEraseData>> {
    return this.expect<CustomerEraseData>('customerErase', body, call);
  }

  /**
   * Sends a call whose success is a file (`chatExport`, `auditExport`): the response, its body
   * not yet read, to stream on. An error answer (the envelope) is thrown as {@link OpApiError}.
   */
  async download(name: 'chatExport' | 'auditExport', body: unknown, call: CallOptions = {}): Promise<Response> {
    const request = this.signedRequest(name, body, call);
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { ...this.options.headers, 'content-type': 'application/json; charset=utf-8' },
      body: request.body,
    });
    if (response.status !== 200) {
      const envelope = (await response.json().catch(() => null)) as Envelope<unknown> | null;
      throw new OpApiError(envelope?.code ?? response.status, envelope?.message ?? `HTTP ${response.status}`);
    }
    return response;
  }

  /** The whole transcript of a chat as a file (jsonl, csv or html), streamed. */
  chatExport(body: ChatExportRequest, call?: CallOptions): Promise<Response> {
    return this.download('chatExport', body, call);
  }

  /** Admins only: the audit trail of a time range as CSV, streamed. */
  auditExport(body: AuditExportRequest, call?: CallOptions): Promise<Response> {
    return this.download('auditExport', body, call);
  }
}
