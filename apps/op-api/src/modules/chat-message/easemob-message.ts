import { isMessageType, TRIMMED_ID_PATTERN, untrimmedIdMessage, type MessageType } from '@op/contracts';
import { cutDepth, MAX_EXT_DEPTH } from '../../common/util/json-shape';

/** A message ready to store, whatever way it arrived (import today, the live callback next). */
export interface NewMessage {
  hxMsgId: string | null;
  form: string | null;
  to: string | null;
  type: MessageType;
  msg: string | null;
  url: string | null;
  filename: string | null;
  thumb: string | null;
  secret: string | null;
  thumbSecret: string | null;
  length: number | null;
  fileLength: number | null;
  addr: string | null;
  lat: number | null;
  lng: number | null;
  createTimeMs: number;
  qiniuKey: string | null;
  ext: Record<string, unknown>;
}

/** A record that cannot be stored; the message names the field (Chinese, for operators). */
export class RecordError extends Error {
  override name = 'RecordError';
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Column limits: a longer value is refused, never silently cut. */
const LIMITS = {
  id: 64,
  party: 128,
  url: 1024,
  filename: 512,
  secret: 255,
  addr: 512,
  key: 1024,
  msgBytes: 65_535,
  extBytes: 65_535,
  length: 2_147_483_647,
};

/**
 * A sender's ext is kept whole up to its column's size less room for the flag the archive adds
 * to it (`,"recalled":true`, 16 bytes): on MariaDB, a recall that outgrew the column failed (a
 * recall lost), or was cut by the insert to JSON that no longer parsed (the whole ext lost).
 */
const SENDER_EXT_BYTES = LIMITS.extBytes - 32;

function optionalString(source: Json, field: string, label: string, max: number): string | null {
  const value = source[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RecordError(`${label} 必须是字符串`);
  if (value.length > max) throw new RecordError(`${label} 不能超过 ${max} 个字符`);
  return value;
}

function optionalNumber(source: Json, field: string, label: string, integer: boolean, max = Number.MAX_SAFE_INTEGER): number | null {
  const value = source[field];
  if (value === undefined || value === null || value === '') return null;
  const number = typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw new RecordError(`${label} 必须是数字`);
  if (integer && (!Number.isSafeInteger(number) || number < 0)) throw new RecordError(`${label} 必须是非负整数`);
  if (number > max) throw new RecordError(`${label} 不能大于 ${max}`);
  return number;
}

/**
 * The extension map as stored: a verified callback or an import line is kept whatever its
 * `ext` holds. Keys (`__proto__` too) stay as data; containers past {@link MAX_EXT_DEPTH}
 * levels become null, and a map whose JSON outgrows its column is replaced; either cut is
 * recorded on the message as `ext.opCut`.
 */
export function storableExt(ext: Json): Json {
  const { value, cutPaths } = cutDepth(ext, MAX_EXT_DEPTH);
  const kept = cutPaths.length === 0 ? value : { ...value, opCut: { maxDepth: MAX_EXT_DEPTH, paths: cutPaths } };
  const bytes = Buffer.byteLength(JSON.stringify(kept), 'utf8');
  return bytes <= SENDER_EXT_BYTES ? kept : { opCut: { maxBytes: SENDER_EXT_BYTES, bytes } };
}

/**
 * `ext` with the recall flag the archive adds (`"recalled":true`). A sender's ext leaves it room;
 * one stored before that room was kept, and too long for the flag beside it, keeps the flag
 * and says it was cut, as an ext too long on arrival does.
 */
export function recalledExt(ext: Json): Json {
  const flagged = { ...ext, recalled: true };
  const bytes = Buffer.byteLength(JSON.stringify(flagged), 'utf8');
  return bytes <= LIMITS.extBytes ? flagged : { opCut: { maxBytes: SENDER_EXT_BYTES, bytes }, recalled: true };
}

function coordinate(source: Json, field: 'lat' | 'lng', prefix: string): number | null {
  const value = optionalNumber(source, field, `${prefix}.${field}`, false);
  const bound = field === 'lat' ? 90 : 180;
  if (value !== null && Math.abs(value) > bound) throw new RecordError(`${prefix}.${field} 超出范围（±${bound}）`);
  return value;
}

/** An id Easemob may write as a JSON number or string; kept as its decimal text. */
export function idText(value: unknown, label: string, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new RecordError(`${label} 不能为空`);
    return null;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string') throw new RecordError(`${label} 必须是字符串`);
  if (value.length > LIMITS.id) throw new RecordError(`${label} 不能超过 ${LIMITS.id} 个字符`);
  return trimmedId(value, label);
}

/** An id as stored: refused with white space at either end (see {@link TRIMMED_ID_PATTERN}). */
export function trimmedId<T extends string | null>(value: T, label: string): T {
  if (value !== null && !TRIMMED_ID_PATTERN.test(value)) throw new RecordError(untrimmedIdMessage(label));
  return value;
}

/**
 * The latest message time taken: `createTime` is `yyyy-MM-dd HH:mm:ss` in any zone up to a day
 * ahead of UTC (a later time reads as year 10000, and past 2^53 / 1000 days none can be shown).
 */
export const MAX_MESSAGE_TIME_MS = Date.UTC(9999, 11, 30);

/**
 * Maps one Easemob message (the history-export or callback shape: `msg_id`, `timestamp`,
 * `from`, `to`, `payload.bodies[0]`, `payload.ext`) to the fields of a stored message; further
 * bodies, which Easemob does not send, are kept in `ext.opMoreBodies`.
 */
export function mapEasemobMessage(record: Json, { archived = false }: { archived?: boolean } = {}): Omit<NewMessage, 'qiniuKey'> {
  const hxMsgId = idText(record.msg_id, 'msg_id', true);
  const timestamp = record.timestamp;
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw new RecordError('timestamp 必须是毫秒时间戳（正整数）');
  }
  if (timestamp > MAX_MESSAGE_TIME_MS) throw new RecordError('timestamp 超出范围：必须早于 9999-12-30');
  const payload = record.payload;
  if (!isObject(payload)) throw new RecordError('payload 必须是对象');
  const bodies = payload.bodies;
  if (!Array.isArray(bodies) || bodies.length === 0) throw new RecordError('payload.bodies 不能为空');
  const body = bodies[0];
  if (!isObject(body)) throw new RecordError('payload.bodies[0] 必须是对象');
  const p = 'payload.bodies[0]';
  if (!isMessageType(body.type)) throw new RecordError(`${p}.type 不支持：${String(body.type).slice(0, 16)}`);
  const type = body.type;
  // An empty map as some languages write it (PHP's json_encode(array())): no ext, not a bad one.
  const empty = payload.ext === undefined || payload.ext === null || (Array.isArray(payload.ext) && payload.ext.length === 0);
  const ext = empty ? {} : payload.ext;
  if (!isObject(ext)) throw new RecordError('payload.ext 必须是对象');

  const party = (field: 'from' | 'to') =>
    trimmedId(
      optionalString(isObject(payload) && typeof payload[field] === 'string' ? payload : record, field, field, LIMITS.party),
      field,
    );

  let msg: string | null = null;
  let extra: Json = {};
  if (type === 'txt') {
    msg = optionalString(body, 'msg', `${p}.msg`, LIMITS.msgBytes);
  } else if (type === 'cmd') {
    msg = optionalString(body, 'action', `${p}.action`, LIMITS.msgBytes);
  } else if (type === 'custom') {
    msg = optionalString(body, 'customEvent', `${p}.customEvent`, LIMITS.msgBytes);
    const customExts = body.customExts ?? body['v2:customExts'];
    // Kept beside a key of the message's own ext of the same name, never dropped for it.
    if (customExts !== undefined) extra = 'customExts' in ext ? { opCustomExts: customExts } : { customExts };
  }
  if (msg !== null && Buffer.byteLength(msg, 'utf8') > LIMITS.msgBytes) {
    throw new RecordError(`${p}.msg 不能超过 ${LIMITS.msgBytes} 字节`);
  }
  const media = type === 'img' || type === 'audio' || type === 'video' || type === 'file';
  // Easemob's SDKs send a thumbnail (`thumb`, `thumb_secret`) with an image as with a video.
  const thumbnailed = type === 'img' || type === 'video';
  return {
    hxMsgId,
    form: party('from'),
    to: party('to'),
    type,
    msg,
    url: media ? optionalString(body, 'url', `${p}.url`, LIMITS.url) : null,
    filename: media ? optionalString(body, 'filename', `${p}.filename`, LIMITS.filename) : null,
    thumb: thumbnailed ? optionalString(body, 'thumb', `${p}.thumb`, LIMITS.url) : null,
    secret: media ? optionalString(body, 'secret', `${p}.secret`, LIMITS.secret) : null,
    thumbSecret: thumbnailed ? optionalString(body, 'thumb_secret', `${p}.thumb_secret`, LIMITS.secret) : null,
    length: type === 'audio' || type === 'video' ? optionalNumber(body, 'length', `${p}.length`, true, LIMITS.length) : null,
    fileLength: media ? optionalNumber(body, 'file_length', `${p}.file_length`, true) : null,
    addr: type === 'loc' ? optionalString(body, 'addr', `${p}.addr`, LIMITS.addr) : null,
    lat: type === 'loc' ? coordinate(body, 'lat', p) : null,
    lng: type === 'loc' ? coordinate(body, 'lng', p) : null,
    createTimeMs: timestamp,
    ext: withMoreBodies({ ...(archived ? ext : senderExt(ext)), ...extra }, bodies),
  };
}

/**
 * The ext as stored, with the message's bodies after the first (Easemob sends one) kept whole
 * as `opMoreBodies` when they fit beside the sender's ext; when they do not, the sender's ext
 * is kept and `opMoreBodiesCut` counts the bodies left out.
 */
function withMoreBodies(ext: Json, bodies: readonly unknown[]): Json {
  if (bodies.length < 2) return storableExt(ext);
  const all = storableExt({ ...ext, opMoreBodies: bodies.slice(1) });
  const cut = all.opCut;
  if (!isObject(cut) || !('maxBytes' in cut)) return all;
  return storableExt({ ...ext, opMoreBodiesCut: { bodies: bodies.length - 1, bytes: cut.bytes } });
}

/**
 * The sender's ext as stored: its own `recalled` key, which would read as the archive's recall
 * flag (2.37, the panel, the exports), kept as `opSenderRecalled`. Only a recall sets `recalled`,
 * or a record of an archive (`archived`: a §5 import line, which names its session and carries
 * the recalls of the archive it comes from so).
 */
function senderExt(ext: Json): Json {
  if (!Object.hasOwn(ext, 'recalled')) return ext;
  const { recalled, ...rest } = ext;
  return { ...rest, opSenderRecalled: recalled };
}

export const QINIU_KEY_MAX = LIMITS.key;
