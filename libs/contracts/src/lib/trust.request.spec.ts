import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { exportDisplayName, exportFileName, AUDIT_ACTION_LABELS } from './trust';
import { AuditExportRequest, ChatExportRequest, CustomerEraseRequest } from './trust.request';
import { AUDIT_ACTIONS } from './search-marks-audit.request';

function firstError<T extends object>(type: ClassConstructor<T>, body: Record<string, unknown>): string | null {
  const errors = validateSync(plainToInstance(type, body), { stopAtFirstError: true, whitelist: true });
  return errors.length === 0 ? null : Object.values(errors[0].constraints ?? {})[0];
}

describe('trust requests (docs/CONTRACT.md §7)', () => {
  it('accepts what the contract names', () => {
    for (const format of ['jsonl', 'csv', 'html']) expect(firstError(ChatExportRequest, { chatId: 'u1', format })).toBeNull();
    expect(firstError(CustomerEraseRequest, { customerId: '客户-1', confirm: '客户-1' })).toBeNull();
    expect(firstError(AuditExportRequest, { from: '2026-01-01 00:00:00', to: '2026-01-31 23:59:59', action: 'customerErase' })).toBeNull();
  });

  it.each([
    [ChatExportRequest, { chatId: 'u1' }, 'format 不能为空'],
    [ChatExportRequest, { chatId: 'u1', format: 'pdf' }, 'format 只能是 jsonl、csv、html'],
    [ChatExportRequest, { format: 'csv' }, 'chatId 不能为空'],
    [CustomerEraseRequest, { confirm: 'a' }, 'customerId 不能为空'],
    [CustomerEraseRequest, { customerId: 'a' }, 'confirm 不能为空（再次填写 customerId）'],
    [CustomerEraseRequest, { customerId: 'x'.repeat(129), confirm: 'x' }, 'customerId 长度必须在 1 到 128 个字符之间'],
    [AuditExportRequest, { to: '2026-01-01 00:00:00' }, 'from 不能为空'],
    [AuditExportRequest, { from: '2026-01-01', to: '2026-01-02 00:00:00' }, 'from 必须是 yyyy-MM-dd HH:mm:ss 格式的时间'],
  ] as const)('%p refuses %j', (type, body, message) => {
    expect(firstError(type as ClassConstructor<object>, body)).toBe(message);
  });

  it('names every audited action in Chinese and keeps file names plain', () => {
    for (const action of AUDIT_ACTIONS) expect(AUDIT_ACTION_LABELS[action]).toMatch(/\p{Script=Han}/u);
    expect(exportFileName('u0001abc', 'csv')).toBe('u0001abc.csv');
    expect(exportFileName('a"b/c', 'html')).toBe('a_b_c.html');
    expect(exportDisplayName('售后/张三 "VIP"', 'csv')).toBe('售后_张三 _VIP_.csv');
  });
});
