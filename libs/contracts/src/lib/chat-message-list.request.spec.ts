import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ChatMessageListRequest } from './chat-message-list.request';
import { MessageMarkRequest } from './search-marks-audit.request';
import { ChatCreateRequest } from './chat-lifecycle.request';

/** The first message a caller would see, as the API reports it; null when valid. */
function firstError(body: Record<string, unknown>): string | null {
  const request = plainToInstance(ChatMessageListRequest, body);
  const errors = validateSync(request, { stopAtFirstError: true, whitelist: true });
  return errors.length === 0 ? null : Object.values(errors[0].constraints ?? {})[0];
}

describe('ChatMessageListRequest', () => {
  it('accepts the minimal body and every optional field', () => {
    expect(firstError({ chatId: 'u1' })).toBeNull();
    expect(firstError({ chatId: 'u1', pageNum: 3, pageSize: 100, needMark: true, needFavorite: false })).toBeNull();
  });

  it('accepts the legacy string forms and converts them', () => {
    const request = plainToInstance(ChatMessageListRequest, {
      chatId: 'u1',
      pageNum: '2',
      pageSize: '50',
      needMark: 'true',
      needFavorite: 'false',
    });
    expect(validateSync(request)).toEqual([]);
    expect(request).toMatchObject({ pageNum: 2, pageSize: 50, needMark: true, needFavorite: false });
  });

  it('ignores unknown fields', () => {
    expect(firstError({ chatId: 'u1', somethingElse: { deep: [1] } })).toBeNull();
  });

  it.each([
    [{}, 'chatId 不能为空'],
    [{ chatId: null }, 'chatId 不能为空'],
    [{ chatId: 5 }, 'chatId 必须是字符串'],
    [{ chatId: ['u1'] }, 'chatId 必须是字符串'],
    [{ chatId: '' }, 'chatId 长度必须在 1 到 64 个字符之间'],
    [{ chatId: 'x'.repeat(65) }, 'chatId 长度必须在 1 到 64 个字符之间'],
    [{ chatId: 'u1', pageNum: 0 }, 'pageNum 不能小于 1'],
    [{ chatId: 'u1', pageNum: -1 }, 'pageNum 不能小于 1'],
    [{ chatId: 'u1', pageNum: 1.5 }, 'pageNum 必须是整数'],
    [{ chatId: 'u1', pageNum: '2.5' }, 'pageNum 必须是整数'],
    [{ chatId: 'u1', pageNum: 'two' }, 'pageNum 必须是整数'],
    [{ chatId: 'u1', pageNum: '' }, 'pageNum 必须是整数'],
    [{ chatId: 'u1', pageNum: true }, 'pageNum 必须是整数'],
    [{ chatId: 'u1', pageNum: 1e300 }, 'pageNum 不能大于 1000000000'],
    [{ chatId: 'u1', pageNum: 1_000_000_001 }, 'pageNum 不能大于 1000000000'],
    [{ chatId: 'u1', pageSize: 0 }, 'pageSize 不能小于 1'],
    [{ chatId: 'u1', pageSize: 101 }, 'pageSize 不能大于 100'],
    [{ chatId: 'u1', pageSize: '101' }, 'pageSize 不能大于 100'],
    [{ chatId: 'u1', pageSize: 'ten' }, 'pageSize 必须是整数'],
    [{ chatId: 'u1', needMark: 'yes' }, 'needMark 必须是布尔值'],
    [{ chatId: 'u1', needMark: 1 }, 'needMark 必须是布尔值'],
    [{ chatId: 'u1', needMark: 'TRUE' }, 'needMark 必须是布尔值'],
    [{ chatId: 'u1', needFavorite: 'no' }, 'needFavorite 必须是布尔值'],
    [{ chatId: 'u1', needFavorite: {} }, 'needFavorite 必须是布尔值'],
  ])('%j → %s', (body, message) => {
    expect(firstError(body)).toBe(message);
  });

  it('counts characters as the databases do: a variation selector is one, an emoji one', () => {
    // validator's Length counted '客\uFE0F' as one character: 256 were taken for 128.
    expect(firstError({ chatId: '客\uFE0F'.repeat(33) })).toBe('chatId 长度必须在 1 到 64 个字符之间');
    expect(firstError({ chatId: '客\uFE0F'.repeat(32) })).toBeNull();
    expect(firstError({ chatId: '😀'.repeat(64) })).toBeNull();
    expect(firstError({ chatId: '😀'.repeat(65) })).toBe('chatId 长度必须在 1 到 64 个字符之间');
    const customer = (customerId: string) => validateSync(plainToInstance(ChatCreateRequest, { customerId })).map((e) => e.property);
    expect(customer('客\uFE0F'.repeat(64))).toEqual([]);
    expect(customer('客\uFE0F'.repeat(65))).toEqual(['customerId']);
    const mark = (text: string) => validateSync(plainToInstance(MessageMarkRequest, { messageId: '1', mark: text })).map((e) => e.property);
    expect(mark('好\uFE0F'.repeat(16))).toEqual([]);
    expect(mark('好\uFE0F'.repeat(17))).toEqual(['mark']);
  });

  it('reads what was sent under a consumer\'s enableImplicitConversion: "false" stays false, a numeric id is refused', () => {
    const options = { enableImplicitConversion: true };
    const request = plainToInstance(
      ChatMessageListRequest,
      { chatId: 'u1', needMark: 'false', needFavorite: 'true', pageNum: '2' },
      options,
    );
    expect(validateSync(request)).toEqual([]);
    expect(request).toMatchObject({ needMark: false, needFavorite: true, pageNum: 2 });
    const numeric = plainToInstance(ChatMessageListRequest, { chatId: 123, aroundMessageId: Number('9007199254740993') }, options);
    expect(validateSync(numeric).map((e) => e.property)).toEqual(['chatId', 'aroundMessageId']);
    const favorite = plainToInstance(MessageMarkRequest, { messageId: Number('9007199254740993'), mark: ' 好 ' }, options);
    expect(validateSync(favorite).map((e) => e.property)).toEqual(['messageId']);
    expect(favorite.mark).toBe('好');
  });
});
