// Browser-safe display logic: pure functions, so they are unit-tested without a browser.
import { AUDIT_ACTION_LABELS, CHAT_STATUS_LABELS, coordinatesText, humanFileSize, type ChatMessage } from '@op/contracts';

/** 75 → "1:15"; voice and video lengths are whole seconds. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '时长未知';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** A count as zh-CN writes it (10000 → "10,000"), with "+" when the real number is higher. */
export function countText(n: number, more = false): string {
  return `${n.toLocaleString('zh-CN')}${more ? '+' : ''}`;
}

export interface Segment {
  text: string;
  hit: boolean;
}

/**
 * Splits a search snippet into plain and matched pieces by the API's `[start, end)` offsets
 * (UTF-16 code units, as JavaScript strings index). Overlapping, unordered or out-of-range
 * offsets are clamped and merged, so a bad offset never drops or repeats text.
 */
export function highlightSegments(snippet: string, offsets: ReadonlyArray<readonly [number, number]>): Segment[] {
  const ranges = offsets
    .map(([start, end]) => [Math.max(0, Math.min(start, snippet.length)), Math.max(0, Math.min(end, snippet.length))] as [number, number])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  const segments: Segment[] = [];
  let at = 0;
  for (const [start, end] of merged) {
    if (start > at) segments.push({ text: snippet.slice(at, start), hit: false });
    segments.push({ text: snippet.slice(start, end), hit: true });
    at = end;
  }
  if (at < snippet.length) segments.push({ text: snippet.slice(at), hit: false });
  return segments;
}

/** What a message is drawn as; one case per 2.37 type, plus recalled messages. */
export type MessageView =
  | { kind: 'text'; text: string }
  | { kind: 'image'; thumbnail: string | null; preview: string | null; full: string | null; name: string | null }
  | { kind: 'voice'; duration: string; url: string | null }
  | { kind: 'video'; thumbnail: string | null; preview: string | null; duration: string; url: string | null }
  | { kind: 'location'; address: string; coordinates: string | null }
  | { kind: 'file'; name: string; size: string; url: string | null }
  | { kind: 'system'; text: string };

export function isRecalled(message: Pick<ChatMessage, 'ext'>): boolean {
  return message.ext?.recalled === true;
}

/** Links the browser may follow: http(s) only, so a `javascript:` URL in data is never a link. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  return /^https?:\/\//i.test(url) ? url : null;
}

/**
 * Origins whose images the panel shows inline (OP_ADMIN_MEDIA_HOSTS, comma-separated):
 * `https://img.example.com[:port]` as written, or a bare host for both https and http.
 */
export function mediaOrigins(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => /^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(entry))
    .flatMap((entry) =>
      /^https?:\/\//.test(entry) ? [entry.toLowerCase()] : [`https://${entry}`, `http://${entry}`].map((o) => o.toLowerCase()),
    );
}

/**
 * An image the browser may load by itself: only from a known media origin. Any other URL is
 * chosen by whoever sent the message, and loading it would tell them who opened the chat, and
 * when; it is shown as a link, opened on click.
 */
function splitByOrigin(url: string | null, origins: readonly string[]): { inline: string | null; link: string | null } {
  if (!url) return { inline: null, link: null };
  let origin = '';
  try {
    origin = new URL(url).origin.toLowerCase();
  } catch {
    return { inline: null, link: null };
  }
  return origins.includes(origin) ? { inline: url, link: null } : { inline: null, link: url };
}

export function messageView(message: ChatMessage, media: readonly string[] = []): MessageView {
  switch (message.type) {
    case 'txt':
      return { kind: 'text', text: message.msg ?? '' };
    case 'img': {
      const { inline, link } = splitByOrigin(safeUrl(message.getUrl), media);
      return {
        kind: 'image',
        thumbnail: inline,
        preview: link,
        full: safeUrl(message.url) ?? safeUrl(message.getUrl),
        name: message.filename,
      };
    }
    case 'audio':
      return { kind: 'voice', duration: formatDuration(message.length), url: safeUrl(message.url) };
    case 'video': {
      const { inline, link } = splitByOrigin(safeUrl(message.thumb), media);
      return { kind: 'video', thumbnail: inline, preview: link, duration: formatDuration(message.length), url: safeUrl(message.url) };
    }
    case 'loc':
      return {
        kind: 'location',
        address: message.addr ?? '（无地址）',
        coordinates: coordinatesText(message.lat, message.lng),
      };
    case 'file':
      return {
        kind: 'file',
        name: message.filename ?? '（未命名文件）',
        size: humanFileSize(message.file_length),
        url: safeUrl(message.url),
      };
    case 'cmd':
      return { kind: 'system', text: `系统指令：${message.msg ?? ''}` };
    case 'custom':
      return { kind: 'system', text: `自定义消息：${message.msg ?? ''}` };
  }
}

/** The customer writes on the left; everyone else (agents, service accounts) on the right. */
export function sideOf(message: Pick<ChatMessage, 'form'>, customerId: string | null): 'customer' | 'agent' {
  return customerId !== null && message.form === customerId ? 'customer' : 'agent';
}

/** Operator ids to usernames, as `operatorList` gave them. */
export type OperatorNames = Readonly<Record<string, string>>;

/**
 * How an operator is shown: the username, with the id kept as the title; an id the list does
 * not hold (an operator since removed, a failed lookup) as itself; nobody as 未分配.
 */
export function operatorLabel(operatorId: string | null, names: OperatorNames): { text: string; title: string | undefined } {
  if (operatorId === null) return { text: '未分配', title: undefined };
  const name = Object.hasOwn(names, operatorId) ? names[operatorId] : undefined;
  return { text: name ?? operatorId, title: operatorId };
}

/** The API's field names, as the panel's forms label them. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  keyword: '关键词',
  mark: '标记',
  chatId: '会话 ID',
  customerId: '客户 ID',
  operatorId: '客服',
  status: '状态',
  messageTimeFrom: '消息时间（从）',
  messageTimeTo: '消息时间（到）',
  createdFrom: '创建时间（从）',
  createdTo: '创建时间（到）',
  lastMessageFrom: '最后消息时间（从）',
  lastMessageTo: '最后消息时间（到）',
  from: '时间（从）',
  to: '时间（到）',
  pageNum: '页码',
  pageSize: '每页条数',
  confirm: '确认客户 ID',
  username: '用户名',
  password: '密码',
  sort: '排序',
  action: '操作',
  format: '格式',
};

/** An API field's name as the panel's forms label it; undefined for one no form has. */
export const fieldLabel = (name: string): string | undefined => (Object.hasOwn(FIELD_LABELS, name) ? FIELD_LABELS[name] : undefined);

const ADMIN_ONLY = /^[A-Za-z]+ 只允许管理员（admin）调用$/;

/** The values a field may take, as the panel's forms name them (the API lists its identifiers). */
const VALUE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  sort: { lastMessageTime: '最近活动', createTime: '创建时间' },
  action: AUDIT_ACTION_LABELS,
  status: CHAT_STATUS_LABELS,
};

/** A value of an API field (`sort`: `createTime`) as the panel's forms name it; undefined for one they do not name. */
export function valueLabel(field: string, value: string): string | undefined {
  const labels = Object.hasOwn(VALUE_LABELS, field) ? VALUE_LABELS[field] : undefined;
  return labels && Object.hasOwn(labels, value) ? labels[value] : undefined;
}

/** `sort 只能是 lastMessageTime 或 createTime`: the values listed after 只能是, by their names. */
function withValueLabels(message: string): string {
  const listed = /^([A-Za-z]+) ((?:的每一项)?只能是 )(.+)$/.exec(message);
  if (!listed) return message;
  const [, field, verb, values] = listed;
  return `${field} ${verb}${values.replace(/[A-Za-z0-9]+/g, (value) => valueLabel(field, value) ?? value)}`;
}

/**
 * An API message as the panel shows it: the field it names (`createdFrom 不能晚于 createdTo`)
 * in the words of the form (`创建时间（从） 不能晚于 创建时间（到）`). Only a field name where the
 * API puts one is replaced (first, and the first after 不能晚于/不能早于/与/和, as in `to 与 from
 * 最多跨…`): a value quoted later in the message stays. The values a field may take are named
 * as the forms name them (`排序 只能是 最近活动 或 创建时间`).
 */
export function withFieldLabels(message: string): string {
  // An admin-only endpoint refusing an agent names itself (`auditExport 只允许管理员（admin）调用`):
  // the panel says what the account may not do, not which call it made.
  if (ADMIN_ONLY.test(message)) return '只有管理员可以进行此操作；如果你的账号刚被改为客服，请重新登录';
  return withValueLabels(message)
    .replace(/^([A-Za-z]+)(?= )/, (name: string) => fieldLabel(name) ?? name)
    .replace(/(不能晚于|不能早于|与|和) ([A-Za-z]+)/, (whole: string, verb: string, name: string) =>
      fieldLabel(name) ? `${verb} ${fieldLabel(name)}` : whole,
    );
}
