import {
  CHAT_MESSAGE_FIELDS,
  coordinatesText,
  humanFileSize,
  UTF8_BOM,
  type ChatInfo,
  type ChatMessage,
  type ExportFormat,
} from '@op/contracts';
import { csvRows } from '../../common/util/csv';

/** A message as an export writes it: 2.37's fields with `mark` always present. */
export type ExportMessage = ChatMessage & { mark: string[] };

/** Writes one format in three parts, so the transcript streams batch by batch. */
export interface TranscriptWriter {
  /** `operatorName`: the username of the chat's operator, where the format shows one. */
  head(chat: ChatInfo, exportedAt: string, operatorName: string | null): string;
  messages(batch: readonly ExportMessage[]): string;
  tail(count: number): string;
}

/** 2.37's fields in its order, `favorite` aside (it is the reader's own, not the transcript's). */
export const CSV_COLUMNS = CHAT_MESSAGE_FIELDS.filter((field) => field !== 'favorite');

const jsonl: TranscriptWriter = {
  head: () => '',
  messages: (batch) => batch.map((message) => JSON.stringify(message) + '\n').join(''),
  tail: () => '',
};

const csv: TranscriptWriter = {
  head: () => UTF8_BOM + csvRows([CSV_COLUMNS]),
  messages: (batch) =>
    batch.length === 0
      ? ''
      : csvRows(
          batch.map((message) =>
            CSV_COLUMNS.map((field) => {
              const value = message[field];
              return field === 'ext' || field === 'mark' ? JSON.stringify(value) : value;
            }),
          ),
        ),
  tail: () => '',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text as HTML: every markup character escaped, so nothing a customer typed is ever markup. */
export const escapeHtml = (value: string | number | null | undefined): string =>
  (value === null || value === undefined ? '' : String(value)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

/**
 * A value the sender chose, inline among other words: escaped and isolated (<bdi>), so that its
 * direction marks (U+202E in a file name) turn only it, not the size or arrow drawn after it.
 */
const isolated = (value: string | number | null | undefined): string => `<bdi>${escapeHtml(value)}</bdi>`;

const seconds = (value: number | null) => (value === null ? '' : `${value} 秒`);

/** A size as the panel writes it (nothing when there is none: the line reads on without it). */
const bytes = (value: number | null) => (value === null ? '' : humanFileSize(value));

/** What a message says, in words, per type (the panel draws the same). */
function body(message: ExportMessage): string {
  const text = (value: string | null) => `<div class="text">${escapeHtml(value)}</div>`;
  const link = (label: string, url: string | null) => (url ? `<div class="url">${label}：${escapeHtml(url)}</div>` : '');
  const at = (coordinates: string | null) => (coordinates ? `<div class="url">坐标：${escapeHtml(coordinates)}</div>` : '');
  switch (message.type) {
    case 'txt':
      return text(message.msg);
    case 'img':
      return `<div class="kind">[图片] ${isolated(message.filename)}</div>${link('地址', message.url)}`;
    case 'audio':
      return `<div class="kind">[语音] ${seconds(message.length)}</div>${link('地址', message.url)}`;
    case 'video':
      return `<div class="kind">[视频] ${seconds(message.length)} ${bytes(message.file_length)}</div>${link('地址', message.url)}`;
    case 'loc':
      return `<div class="kind">[位置] ${isolated(message.addr)}</div>${at(coordinatesText(message.lat, message.lng))}`;
    case 'file':
      return `<div class="kind">[文件] ${isolated(message.filename)} ${bytes(message.file_length)}</div>${link('地址', message.url)}`;
    case 'cmd':
      return `<div class="kind">[指令消息] ${escapeHtml(message.msg)}</div>`;
    case 'custom':
      return `<div class="kind">[自定义消息] ${escapeHtml(message.msg)}</div>`;
  }
}

const STYLE = `
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#111;margin:24px;font-size:14px}
h1{font-size:20px;margin:0 0 8px}
table.meta{border-collapse:collapse;margin-bottom:16px}
table.meta th,table.meta td{border:1px solid #ccc;padding:4px 8px;text-align:left;font-weight:normal}
table.meta th{background:#f3f3f3}
.message{border-bottom:1px solid #e5e5e5;padding:8px 0;page-break-inside:avoid;break-inside:avoid}
.who{color:#555;font-size:12px}
.text{white-space:pre-wrap;word-break:break-word;margin-top:4px}
.kind{margin-top:4px}
.url{color:#555;font-size:12px;word-break:break-all}
.marks{font-size:12px;color:#8a4b00}
.recalled{color:#b00;font-size:12px}
footer{margin-top:16px;color:#555;font-size:12px}
@media print{body{margin:0}a{color:inherit;text-decoration:none}}
`;

const html: TranscriptWriter = {
  head: (chat, exportedAt, operatorName) =>
    '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">' +
    // Self-contained: the page may load nothing at all, whatever a message holds.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>会话记录 ${escapeHtml(chat.chatId)}</title><style>${STYLE}</style></head><body>` +
    `<h1>会话记录 ${escapeHtml(chat.chatId)}</h1><table class="meta"><tbody>` +
    [
      // As the panel shows them: nobody assigned as 未分配, any other missing value as a dash.
      ['状态', chat.status],
      ['客户', chat.customerId],
      // A person reads the page: the agent's name, the id beside it (null: nobody, or an operator since deleted).
      ['客服', chat.operatorId === null ? '未分配' : operatorName === null ? chat.operatorId : `${operatorName}（${chat.operatorId}）`],
      ['创建时间', chat.createTime],
      ['接入时间', chat.acceptTime],
      ['结束时间', chat.endTime],
      ['最后消息时间', chat.lastMessageTime],
      ['消息数', chat.messageCount],
      ['导出时间', exportedAt],
    ]
      .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value ?? '—')}</td></tr>`)
      .join('') +
    '</tbody></table><main>\n',
  messages: (batch) =>
    batch
      .map(
        (message) =>
          `<section class="message" id="m${escapeHtml(message.userMessageId)}"><div class="who">${escapeHtml(message.createTime)} · ${isolated(message.form)} → ${isolated(message.to)} · ${escapeHtml(message.type)}</div>` +
          body(message) +
          (message.ext.recalled === true ? '<div class="recalled">（已撤回）</div>' : '') +
          (message.mark.length > 0 ? `<div class="marks">标记：${message.mark.map(escapeHtml).join('、')}</div>` : '') +
          '</section>\n',
      )
      .join(''),
  tail: (count) => `</main><footer>共 ${count} 条消息</footer></body></html>\n`,
};

export const TRANSCRIPT_WRITERS: Readonly<Record<ExportFormat, TranscriptWriter>> = { jsonl, csv, html };
