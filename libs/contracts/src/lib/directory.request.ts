import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { CharLength, legacyInteger, trimmed } from './chat-message-list.request';

// The tenant's directory: who its operators are and which customers it has, for pickers.

export const MAX_CUSTOMER_PREFIX_LENGTH = 128;
export const DEFAULT_CUSTOMER_LIST_LIMIT = 20;
export const MAX_CUSTOMER_LIST_LIMIT = 50;

/**
 * Body of `customerList`: the customers whose id starts with `prefix` (literally: `%` and `_`
 * are characters like any other), at most `limit`. As elsewhere, the decorator nearest the
 * property is checked first, so the type checks sit lowest.
 */
export class CustomerListRequest {
  @IsOptional()
  @CharLength(0, MAX_CUSTOMER_PREFIX_LENGTH, {
    message: `prefix 长度必须在 0 到 ${MAX_CUSTOMER_PREFIX_LENGTH} 个字符之间（不计首尾空白）`,
  })
  @IsString({ message: 'prefix 必须是字符串' })
  @Transform(trimmed)
  prefix?: string;

  @IsOptional()
  @Max(MAX_CUSTOMER_LIST_LIMIT, { message: `limit 不能大于 ${MAX_CUSTOMER_LIST_LIMIT}` })
  @Min(1, { message: 'limit 不能小于 1' })
  @IsInt({ message: 'limit 必须是整数' })
  @Transform(legacyInteger)
  limit?: number;
}
