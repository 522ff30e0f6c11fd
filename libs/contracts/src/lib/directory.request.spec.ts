import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CustomerListRequest } from './directory.request';

function firstError(body: Record<string, unknown>): string | null {
  const errors = validateSync(plainToInstance(CustomerListRequest, body), { stopAtFirstError: true, whitelist: true });
  return errors.length === 0 ? null : Object.values(errors[0].constraints ?? {})[0];
}

describe('customerList request', () => {
  it('takes no field, an empty or blank prefix, and limits from 1 to 50 (legacy strings too)', () => {
    for (const body of [{}, { prefix: '' }, { prefix: '   ' }, { prefix: 'x'.repeat(128) }, { limit: 1 }, { limit: 50 }, { limit: '20' }]) {
      expect({ body, error: firstError(body) }).toEqual({ body, error: null });
    }
  });

  it('trims the prefix and reads a legacy limit', () => {
    expect(plainToInstance(CustomerListRequest, { prefix: '  u0001 ', limit: '5' })).toMatchObject({ prefix: 'u0001', limit: 5 });
  });

  it.each([
    [{ prefix: 'x'.repeat(129) }, 'prefix 长度必须在 0 到 128 个字符之间（不计首尾空白）'],
    [{ prefix: 5 }, 'prefix 必须是字符串'],
    [{ limit: 0 }, 'limit 不能小于 1'],
    [{ limit: 51 }, 'limit 不能大于 50'],
    [{ limit: 2.5 }, 'limit 必须是整数'],
    [{ limit: 'many' }, 'limit 必须是整数'],
  ])('refuses %j', (body, message) => {
    expect(firstError(body)).toBe(message);
  });
});
