import { mapEasemobMessage, RecordError } from './easemob-message';

const base = { msg_id: '164556432430072736', timestamp: 1455878580000, from: 'u0001c', to: 'kefu01', chat_type: 'chat' };
const map = (body: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  mapEasemobMessage({ ...base, payload: { bodies: [body], ext: { k: 'v' } }, ...extra });

const empty = {
  msg: null,
  url: null,
  filename: null,
  thumb: null,
  secret: null,
  thumbSecret: null,
  length: null,
  fileLength: null,
  addr: null,
  lat: null,
  lng: null,
};

describe('Easemob body → message fields', () => {
  it('txt', () => {
    expect(map({ type: 'txt', msg: '黑胡椒' })).toEqual({
      ...empty,
      hxMsgId: '164556432430072736',
      form: 'u0001c',
      to: 'kefu01',
      type: 'txt',
      msg: '黑胡椒',
      createTimeMs: 1455878580000,
      ext: { k: 'v' },
    });
  });

  it('img', () => {
    expect(
      map({
        type: 'img',
        url: 'u',
        filename: 'f.jpg',
        secret: 's',
        file_length: 10,
        size: { width: 1, height: 2 },
        thumb: 't',
        thumb_secret: 'ts',
      }),
    ).toMatchObject({
      ...empty,
      type: 'img',
      url: 'u',
      filename: 'f.jpg',
      secret: 's',
      thumb: 't',
      thumbSecret: 'ts',
      fileLength: 10,
    });
  });

  it('audio', () => {
    expect(map({ type: 'audio', url: 'u', filename: 'a.amr', secret: 's', length: 3, file_length: '20' })).toMatchObject({
      ...empty,
      type: 'audio',
      url: 'u',
      filename: 'a.amr',
      secret: 's',
      length: 3,
      fileLength: 20,
    });
  });

  it('video', () => {
    expect(
      map({ type: 'video', url: 'u', filename: 'v.mp4', secret: 's', thumb: 't', thumb_secret: 'ts', length: '9', file_length: 30 }),
    ).toMatchObject({
      ...empty,
      type: 'video',
      url: 'u',
      filename: 'v.mp4',
      secret: 's',
      thumb: 't',
      thumbSecret: 'ts',
      length: 9,
      fileLength: 30,
    });
  });

  it('loc, with coordinates as numbers or strings', () => {
    expect(map({ type: 'loc', addr: '上海', lat: '31.2', lng: 121.5 })).toMatchObject({
      ...empty,
      type: 'loc',
      addr: '上海',
      lat: 31.2,
      lng: 121.5,
    });
  });

  it('file', () => {
    expect(map({ type: 'file', url: 'u', filename: 'x.pdf', secret: 's', file_length: 99 })).toMatchObject({
      ...empty,
      type: 'file',
      url: 'u',
      filename: 'x.pdf',
      secret: 's',
      fileLength: 99,
    });
  });

  it('cmd keeps its action as the text', () => {
    expect(map({ type: 'cmd', action: 'typing' })).toMatchObject({ ...empty, type: 'cmd', msg: 'typing', ext: { k: 'v' } });
  });

  it('custom keeps its event as the text and its exts in ext', () => {
    expect(map({ type: 'custom', customEvent: 'card', customExts: { a: '1' } })).toMatchObject({
      ...empty,
      type: 'custom',
      msg: 'card',
      ext: { k: 'v', customExts: { a: '1' } },
    });
    expect(map({ type: 'custom', customEvent: 'card', 'v2:customExts': { b: '2' } }).ext).toEqual({ k: 'v', customExts: { b: '2' } });
    // The message's own ext has a customExts already: the body's are kept beside it.
    const both = mapEasemobMessage({
      ...base,
      payload: { bodies: [{ type: 'custom', customEvent: 'card', customExts: { orderId: 'A1' } }], ext: { customExts: 'app flag' } },
    });
    expect(both.ext).toEqual({ customExts: 'app flag', opCustomExts: { orderId: 'A1' } });
  });

  it('takes payload.from and payload.to over the outer ones', () => {
    const message = mapEasemobMessage({ ...base, payload: { from: 'p-from', to: 'p-to', bodies: [{ type: 'txt', msg: 'x' }] } });
    expect(message).toMatchObject({ form: 'p-from', to: 'p-to', ext: {} });
  });

  it('accepts a numeric msg_id and keeps it as text', () => {
    expect(mapEasemobMessage({ ...base, msg_id: 12345, payload: { bodies: [{ type: 'txt', msg: 'x' }] } }).hxMsgId).toBe('12345');
  });

  it.each([
    [{ ...base, msg_id: undefined, payload: { bodies: [{ type: 'txt' }] } }, 'msg_id 不能为空'],
    [{ ...base, timestamp: '1455878580000', payload: { bodies: [{ type: 'txt' }] } }, 'timestamp 必须是毫秒时间戳（正整数）'],
    [{ ...base, payload: null }, 'payload 必须是对象'],
    [{ ...base, payload: { bodies: [] } }, 'payload.bodies 不能为空'],
    [{ ...base, payload: { bodies: ['txt'] } }, 'payload.bodies[0] 必须是对象'],
    [{ ...base, payload: { bodies: [{ type: 'sticker' }] } }, 'payload.bodies[0].type 不支持：sticker'],
    [{ ...base, payload: { bodies: [{ type: 'txt', msg: 5 }] } }, 'payload.bodies[0].msg 必须是字符串'],
    [{ ...base, payload: { bodies: [{ type: 'loc', lat: 'north' }] } }, 'payload.bodies[0].lat 必须是数字'],
    [{ ...base, payload: { bodies: [{ type: 'loc', lat: 91 }] } }, 'payload.bodies[0].lat 超出范围（±90）'],
    [{ ...base, payload: { bodies: [{ type: 'audio', length: -1 }] } }, 'payload.bodies[0].length 必须是非负整数'],
    [{ ...base, payload: { bodies: [{ type: 'img', url: 'x'.repeat(1025) }] } }, 'payload.bodies[0].url 不能超过 1024 个字符'],
    [{ ...base, payload: { bodies: [{ type: 'txt', msg: '汉'.repeat(30000) }] } }, 'payload.bodies[0].msg 不能超过 65535 字节'],
    [{ ...base, payload: { bodies: [{ type: 'txt' }], ext: [1] } }, 'payload.ext 必须是对象'],
  ])('refuses %j', (record, message) => {
    expect(() => mapEasemobMessage(record as Record<string, unknown>)).toThrow(new RecordError(message));
  });
});
