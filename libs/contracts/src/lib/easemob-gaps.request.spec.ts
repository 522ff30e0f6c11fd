import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EasemobGapsRequest } from './easemob-gaps.request';

function firstError(body: Record<string, unknown>): string | null {
  const errors = validateSync(plainToInstance(EasemobGapsRequest, body), { stopAtFirstError: true, whitelist: true });
  return errors.length === 0 ? null : Object.values(errors[0].constraints ?? {})[0];
}

describe('easemobGaps request', () => {
  it('takes no field, or times of the API format (trimmed)', () => {
    for (const body of [
      {},
      { from: '2026-11-30 10:00:00' },
      { to: '2026-11-30 10:00:00' },
      { from: ' 2026-11-30 10:00:00 ', to: '2026-12-01 09:59:59' },
    ]) {
      expect({ body, error: firstError(body) }).toEqual({ body, error: null });
    }
    expect(plainToInstance(EasemobGapsRequest, { from: ' 2026-11-30 10:00:00 ' }).from).toBe('2026-11-30 10:00:00');
  });

  it.each([
    [{ from: '2026-11-30' }, 'from 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
    [{ from: 1764468000 }, 'from 必须是字符串（yyyy-MM-dd HH:mm:ss）'],
    [{ to: '2026113010' }, 'to 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
  ])('refuses %j', (body, message) => {
    expect(firstError(body)).toBe(message);
  });
});
