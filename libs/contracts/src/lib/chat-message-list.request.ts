import { Transform, type TransformFnParams } from 'class-transformer';
import { IsBoolean, IsDefined, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';

export const DEFAULT_PAGE_NUM = 1;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const MAX_CHAT_ID_LENGTH = 64;
/** Bounds `pageNum` so that `startIndex` ((pageNum - 1) × pageSize) stays an exact integer. */
export const MAX_PAGE_NUM = 1_000_000_000;
/** A message id as 2.37 writes it: a positive 64-bit snowflake in decimal. */
export const MESSAGE_ID_PATTERN = /^[1-9]\d{0,18}$/;
/**
 * An id (a chat's, a customer's, a message's sender) has no white space at either end. Ids
 * compare byte for byte, except that MySQL-family collations pad with spaces: MariaDB took
 * `u1 ` for `u1` (another chat, another customer) where SQLite did not. Such an id is refused
 * on every engine, in requests and in what is stored. The empty string is left to `CharLength`.
 */
export const TRIMMED_ID_PATTERN = /^(?:\S(?:[\s\S]*\S)?)?$/;
export const untrimmedIdMessage = (field: string): string => `${field} 首尾不能有空白字符`;
/** {@link TRIMMED_ID_PATTERN} as a rule; written above the field's other rules, it is checked last. */
export const TrimmedIdField = (field: string): PropertyDecorator => Matches(TRIMMED_ID_PATTERN, { message: untrimmedIdMessage(field) });

/**
 * A field's value as the caller sent it. A consumer's class-transformer may convert it before
 * any transform runs (`enableImplicitConversion`: `"false"` to true, `123` to `"123"`, an id sent
 * as a number past 2^53 to its rounded digits); the rules below read what was sent.
 */
export const sentValue = ({ obj, key }: TransformFnParams): unknown => (obj as Record<string, unknown> | undefined)?.[key];

/** Legacy callers send integers as strings ("2"); any other string stays as it is and fails. */
export function legacyInteger(params: TransformFnParams): unknown {
  const value = sentValue(params);
  return typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
}

/** Legacy callers send booleans as strings ("true"/"false"); anything else stays and fails. */
export function legacyBoolean(params: TransformFnParams): unknown {
  const value = sentValue(params);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** A string trimmed at both ends (as sent, see {@link sentValue}); anything else stays and fails its type rule. */
export function trimmed(params: TransformFnParams): unknown {
  const value = sentValue(params);
  return typeof value === 'string' ? value.trim() : value;
}

/** Characters as the databases count them (code points, up to `max + 1`): validator's `Length` counts neither U+FE0E nor U+FE0F. */
function characters(value: string, max: number): number {
  let count = 0;
  for (const _ of value) if (++count > max) break;
  return count;
}

/** A string of `min` to `max` characters (code points, as a `varchar(max)` column holds them); other types pass, for the type rule to name. */
export const CharLength = (min: number, max: number, options: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'charLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return true;
          const length = characters(value, max);
          return length >= min && length <= max;
        },
      },
    },
    options,
  );

/** Applies decorators as if written top to bottom above the property (they run bottom-up). */
function stack(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const decorator of [...decorators].reverse()) decorator(target, key);
  };
}

/**
 * A string id field: 1–`max` characters with no white space at either end (the message of each
 * rule names `field`); required unless `optional`.
 */
export function IdField(field: string, max: number, { optional = false }: { optional?: boolean } = {}): PropertyDecorator {
  const rules = [
    TrimmedIdField(field),
    CharLength(1, max, { message: `${field} 长度必须在 1 到 ${max} 个字符之间` }),
    IsString({ message: `${field} 必须是字符串` }),
    Transform(sentValue),
  ];
  return optional ? stack(IsOptional(), ...rules) : stack(...rules, IsDefined({ message: `${field} 不能为空` }));
}

/** A required `chatId` (1–64 characters), as every chat endpoint takes it. */
export const ChatIdField = (): PropertyDecorator => IdField('chatId', MAX_CHAT_ID_LENGTH);

/** An optional `chatId` filter. */
export const OptionalChatIdField = (): PropertyDecorator => IdField('chatId', MAX_CHAT_ID_LENGTH, { optional: true });

/** An operator's id as the chat endpoints take it (1–32 characters). */
export const MAX_OPERATOR_ID_LENGTH = 32;
/** A customer's id (their Easemob user name) as the chat endpoints take it (1–128 characters). */
export const MAX_CUSTOMER_ID_LENGTH = 128;

/** `pageNum`: an optional integer ≥ 1 (legacy "2" accepted). */
export const PageNumField = (): PropertyDecorator =>
  stack(
    IsOptional(),
    Max(MAX_PAGE_NUM, { message: `pageNum 不能大于 ${MAX_PAGE_NUM}` }),
    Min(1, { message: 'pageNum 不能小于 1' }),
    IsInt({ message: 'pageNum 必须是整数' }),
    Transform(legacyInteger),
  );

/** `pageSize`: an optional integer 1–100 (legacy "20" accepted). */
export const PageSizeField = (): PropertyDecorator =>
  stack(
    IsOptional(),
    Max(MAX_PAGE_SIZE, { message: `pageSize 不能大于 ${MAX_PAGE_SIZE}` }),
    Min(1, { message: 'pageSize 不能小于 1' }),
    IsInt({ message: 'pageSize 必须是整数' }),
    Transform(legacyInteger),
  );

/**
 * Body of 2.37 `POST /op/v2/chatMessageList`. Unknown fields are ignored.
 *
 * class-validator checks the decorator nearest the property first, and callers see only the
 * first failure: so the type check sits lowest and the range checks above it.
 */
export class ChatMessageListRequest {
  @ChatIdField()
  chatId!: string;

  @PageNumField()
  pageNum?: number;

  @PageSizeField()
  pageSize?: number;

  @IsOptional()
  @IsBoolean({ message: 'needMark 必须是布尔值' })
  @Transform(legacyBoolean)
  needMark?: boolean;

  @IsOptional()
  @IsBoolean({ message: 'needFavorite 必须是布尔值' })
  @Transform(legacyBoolean)
  needFavorite?: boolean;

  /**
   * Serves the page (at `pageSize`) that holds this message instead of `pageNum`; `page.page`
   * says which. A decimal `userMessageId` string; an id not in the chat is 404.
   */
  @IsOptional()
  @Matches(MESSAGE_ID_PATTERN, { message: 'aroundMessageId 必须是十进制的消息 ID（userMessageId）' })
  @IsString({ message: 'aroundMessageId 必须是字符串（userMessageId）' })
  @Transform(sentValue)
  aroundMessageId?: string;
}
