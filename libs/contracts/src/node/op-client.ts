import { randomBytes } from 'node:crypto';
import {
  OP_API_PREFIX,
  OP_ENDPOINT_NAMES,
  type OP_ENDPOINTS,
  opEndpoint,
  type OpEndpointData,
  type OpEndpointName,
  type OpEnvelopeEndpointName,
  type OpFileEndpointName,
  type OpRequest,
} from '../lib/endpoints';
import { API_VERSION, type Envelope, type PageInfo } from '../lib/envelope';
import { parseExact } from '../lib/exact-json';
import { EXPORT_CONTENT_TYPES } from '../lib/trust.request';
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
  /**
   * How long `call` and `expect` wait for the whole answer before they reject with a
   * `TimeoutError`; unset, as long as the server takes. `download` is bounded only by its call's
   * own `timeoutMs` (an export streams for as long as it is long).
   */
  timeoutMs?: number;
}

export interface CallOptions {
  token?: string | null;
  /** This call's time limit, over the client's `timeoutMs`; null: none (a long erasure). */
  timeoutMs?: number | null;
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
  /** Seconds the API asks to wait before trying again (`Retry-After` of a 429 or 503), else null. */
  retryAfterSeconds: number | null;
}

/**
 * An Op API error envelope, thrown by the typed helpers of {@link OpClient}; also an answer that
 * is no envelope at all (a proxy's 502 page): then `code` is the HTTP status.
 */
export class OpApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Seconds to wait before trying again, when the answer said so (429, 503); else null. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'OpApiError';
  }
}

/** `Retry-After` in seconds: the API sends a number; an HTTP date (a proxy's) is counted from now. */
function retryAfterOf(response: Response): number | null {
  const header = response.headers.get('retry-after')?.trim();
  if (!header) return null;
  if (/^\d+$/.test(header)) return Number(header);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Whether a parsed body is the Op envelope: a numeric `code`, a `message` and the `foot` every answer carries. */
function isEnvelope(parsed: unknown): boolean {
  if (typeof parsed !== 'object' || parsed === null) return false;
  const { code, message, foot } = parsed as { code?: unknown; message?: unknown; foot?: unknown };
  return typeof code === 'number' && typeof message === 'string' && typeof foot === 'object' && foot !== null;
}

/**
 * The envelope of an answer, or {@link OpApiError} with the HTTP status when the body is none
 * (HTML, empty, a gateway's own JSON: `{"code":1001,"msg":…}` was taken for an Op error code).
 */
async function envelopeOf<T>(response: Response): Promise<Envelope<T>> {
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    // Not followed: the signed query (the operator's token) would go wherever Location says,
    // and what answered there would be taken for the Op API's answer.
    throw new OpApiError(502, `Op API 返回了重定向（HTTP ${response.status}），未跟随：请检查 baseUrl`);
  }
  const text = await response.text();
  try {
    // An integer past 2^53 in a message's ext stays exact, as the API stored and sent it.
    const parsed = parseExact(text);
    if (isEnvelope(parsed)) return parsed as Envelope<T>;
  } catch {
    // not JSON: below
  }
  // A 2xx that is no envelope (a portal's or proxy's page) is no success either: a bad gateway.
  const code = response.status >= 200 && response.status < 300 ? 502 : response.status;
  throw new OpApiError(code, `Op API 返回了无法识别的应答（HTTP ${response.status}）`, retryAfterOf(response));
}

/** A Content-Type's media type alone, lower case (`text/csv; charset=utf-8` → `text/csv`). */
const mediaType = (header: string | null): string => (header ?? '').split(';')[0].trim().toLowerCase();

/**
 * The media types a file answer may have: the one of the `format` the body asks for, when it
 * names one the endpoint serves (a login page is HTML, one of chatExport's types, but no CSV).
 */
function answerTypes(name: OpFileEndpointName, body: unknown): readonly string[] {
  const served = opEndpoint(name).file ?? [];
  const format = typeof body === 'object' && body !== null ? (body as { format?: unknown }).format : undefined;
  const asked =
    typeof format === 'string' && Object.hasOwn(EXPORT_CONTENT_TYPES, format)
      ? EXPORT_CONTENT_TYPES[format as keyof typeof EXPORT_CONTENT_TYPES]
      : null;
  return asked !== null && served.includes(asked) ? [asked] : served;
}

/** Whether a success envelope carries the `page` its paged endpoint promises (docs/CONTRACT.md §2). */
const hasPage = (envelope: Envelope<unknown>): boolean => {
  const page = envelope.page as Partial<Record<keyof PageInfo, unknown>> | undefined;
  return (
    typeof page === 'object' &&
    page !== null &&
    (['total', 'page', 'pageSize', 'count', 'startIndex'] as const).every((key) => Number.isSafeInteger(page[key])) &&
    typeof page.next === 'boolean'
  );
};

/** The keys of T that a value must have. */
type RequiredKeys<T> = { [P in keyof T]-?: undefined extends T[P] ? never : P }[keyof T];

/** An endpoint method's arguments: the body (none when the endpoint reads none; optional when every field is), then call options. */
type OpMethodArgs<K extends OpEndpointName> =
  OpRequest<K> extends undefined
    ? [call?: CallOptions]
    : [RequiredKeys<OpRequest<K>>] extends [never]
      ? [body?: OpRequest<K>, call?: CallOptions]
      : [body: OpRequest<K>, call?: CallOptions];

/**
 * The envelope of a success (typed methods throw on anything else): `data` as the endpoint
 * gives it, never the null of an error, and `page` on the paged endpoints. Typed as any
 * envelope, a strict project had to null-check what cannot be null.
 */
export type OpSuccess<K extends OpEnvelopeEndpointName> = Omit<Envelope<OpEndpointData[K]>, 'data' | 'page'> & {
  data: OpEndpointData[K];
} & ((typeof OP_ENDPOINTS)[K] extends { paged: true } ? { page: PageInfo } : { page?: undefined });

/** What a method resolves to: the success envelope, or the file's response, its body not yet read. */
type OpMethodResult<K extends OpEndpointName> = K extends OpEnvelopeEndpointName ? OpSuccess<K> : Response;

/**
 * One typed method per endpoint of the registry (`client.chatSearch(body)`), each throwing
 * {@link OpApiError} on an error answer. Mapped from the registry, so none can be missing.
 */
export type OpEndpointMethods = { [K in OpEndpointName]: (...args: OpMethodArgs<K>) => Promise<OpMethodResult<K>> };

// The endpoint methods are installed on the prototype from the registry (below the class).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface OpClient extends OpEndpointMethods {}

/** Signs and sends Op API calls (docs/CONTRACT.md §1); one typed method per endpoint ({@link OpEndpointMethods}). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class OpClient {
  // An ES private field: a `private` property is an ordinary one at run time, and logging the
  // client (console.log, a failed assertion, JSON.stringify) printed its secret and token.
  readonly #options: OpClientOptions;

  constructor(options: OpClientOptions) {
    this.#options = options;
  }

  /** Builds the signed URL and body of a call without sending it. */
  signedRequest(name: string, body: unknown, call: CallOptions = {}): SignedRequest {
    // Any name, not only the registry's: specs probe unknown paths with a valid signature.
    const path = `${OP_API_PREFIX}/${name}`;
    const now = this.#options.now ?? Date.now;
    const query: Record<string, string> = {
      apiVersion: API_VERSION,
      client: this.#options.clientId,
      timestamp: String(call.timestamp ?? Math.floor(now() / 1000)),
    };
    const token = call.token === undefined ? this.#options.token : call.token;
    if (token) query.token = token;
    const nonce = call.nonce === undefined ? (this.#options.nonce === false ? null : randomBytes(12).toString('hex')) : call.nonce;
    if (nonce) query.nonce = nonce;
    const raw = body === undefined ? '' : JSON.stringify(body);
    const sign = signRequest(
      { method: 'POST', path, query, body: raw },
      this.#options.secret,
      this.#options.signMethod ?? DEFAULT_SIGN_METHOD,
    );
    const search = new URLSearchParams({ ...query, sign });
    return { url: `${this.#options.baseUrl.replace(/\/+$/, '')}${path}?${search.toString()}`, query: { ...query, sign }, body: raw };
  }

  /** Sends a call and returns the HTTP status and the envelope, whatever the code. */
  async call<T>(name: string, body: unknown, call: CallOptions = {}): Promise<OpResponse<T>> {
    const request = this.signedRequest(name, body, call);
    const timeoutMs = call.timeoutMs === undefined ? this.#options.timeoutMs : call.timeoutMs;
    const response = await this.send(request, timeoutMs);
    return { status: response.status, envelope: await envelopeOf<T>(response), retryAfterSeconds: retryAfterOf(response) };
  }

  /** POSTs a signed request; a redirect is answered, never followed (see {@link envelopeOf}). */
  private send(request: SignedRequest, timeoutMs: number | null | undefined): Promise<Response> {
    return fetch(request.url, {
      method: 'POST',
      headers: { ...this.#options.headers, 'content-type': 'application/json; charset=utf-8' },
      body: request.body,
      redirect: 'manual',
      ...(timeoutMs === undefined || timeoutMs === null ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
    });
  }

  /** Sends a call and returns the whole envelope, throwing {@link OpApiError} on an error code. */
  async expect<T>(name: string, body: unknown, call: CallOptions = {}): Promise<Envelope<T>> {
    const { status, envelope, retryAfterSeconds } = await this.call<T>(name, body, call);
    if (envelope.code !== 200) throw new OpApiError(envelope.code, envelope.message, retryAfterSeconds);
    // The API answers a success with HTTP 200: code 200 under another status is something else's answer.
    if (status !== 200) throw new OpApiError(502, `Op API 的应答 code 200 与 HTTP ${status} 不符`, retryAfterSeconds);
    return envelope;
  }

  /**
   * Sends a call whose success is a file (`chatExport`, `auditExport`): the response, its body
   * not yet read, to stream on. An error answer (the envelope) is thrown as {@link OpApiError};
   * so is a 200 that is not one of the endpoint's media types (a portal's login page). Only the
   * call's own `timeoutMs` bounds it (the client's is for envelopes; an export streams), the
   * reading of the body included.
   */
  async download(name: OpFileEndpointName, body: unknown, call: CallOptions = {}): Promise<Response> {
    const request = this.signedRequest(name, body, call);
    const response = await this.send(request, call.timeoutMs);
    if (response.status !== 200) {
      const envelope = await envelopeOf<unknown>(response);
      if (envelope.code === 200)
        throw new OpApiError(502, `Op API 的应答 code 200 与 HTTP ${response.status} 不符`, retryAfterOf(response));
      throw new OpApiError(envelope.code, envelope.message, retryAfterOf(response));
    }
    const type = mediaType(response.headers.get('content-type'));
    if (!answerTypes(name, body).some((declared) => mediaType(declared) === type)) {
      await response.body?.cancel();
      throw new OpApiError(502, `Op API 的 ${name} 返回了意外的内容类型（${type || '无'}）`);
    }
    return response;
  }
}

for (const name of OP_ENDPOINT_NAMES) {
  const endpoint = opEndpoint(name);
  // A body-less endpoint still sends `{}`: the signed JSON body every call carries.
  const method =
    endpoint.request === null
      ? function (this: OpClient, call?: CallOptions) {
          return this.expect(name, {}, call);
        }
      : endpoint.file
        ? function (this: OpClient, body: unknown, call?: CallOptions) {
            return this.download(name as OpFileEndpointName, body ?? {}, call);
          }
        : async function (this: OpClient, body: unknown, call?: CallOptions) {
            const envelope = await this.expect(name, body ?? {}, call);
            // What the method's type promises, or an answer that is not the Op API's (a gateway, an older server).
            if (endpoint.paged && !hasPage(envelope)) throw new OpApiError(502, `Op API 的 ${name} 应答缺少分页信息（page）`);
            return envelope;
          };
  Object.defineProperty(OpClient.prototype, name, { value: method, writable: true, configurable: true });
}
