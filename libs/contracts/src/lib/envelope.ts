export const API_VERSION = '01';
export const SUCCESS_CODE = 200;
export const SUCCESS_MESSAGE = '成功';

/** The codes an Op API response may carry; on error the HTTP status equals the code. */
export type ResultCode = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503;

/**
 * A whole number. Only a name for `number` to TypeScript; the OpenAPI document says `integer`
 * for it, so that generated clients and validators do not take 2.5 for a count.
 */
export type Int = number;

export interface PageInfo {
  /** All items. */
  total: Int;
  /** The pageNum served. */
  page: Int;
  pageSize: Int;
  /** Items on this page. */
  count: Int;
  /** True when a later page has items. */
  next: boolean;
  /** (page - 1) * pageSize */
  startIndex: Int;
}

export interface Foot {
  /** Server time of the response, `yyyy-MM-dd HH:mm:ss` in the configured zone. */
  operationTime: string;
  servicePhone: string;
  host: string;
}

export interface Envelope<T> {
  code: number;
  message: string;
  data: T | null;
  page?: PageInfo;
  foot: Foot;
}

export function pageInfo(total: number, page: number, pageSize: number, count: number): PageInfo {
  const startIndex = (page - 1) * pageSize;
  return { total, page, pageSize, count, next: startIndex + count < total, startIndex };
}
