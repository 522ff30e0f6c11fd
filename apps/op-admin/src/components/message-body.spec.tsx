import { renderToStaticMarkup } from 'react-dom/server';
import type { ChatMessage } from '@op/contracts';
import { MessageBody } from './message-body';
import { Snippet } from './snippet';

function message(fields: Partial<ChatMessage>): ChatMessage {
  return {
    userMessageId: '1',
    hxMsgId: null,
    form: 'c1',
    to: 'a1',
    type: 'txt',
    msg: null,
    url: null,
    filename: null,
    thumb: null,
    secret: null,
    thumb_secret: null,
    length: null,
    file_length: null,
    addr: null,
    lat: null,
    lng: null,
    createTime: '2026-11-20 09:00:00',
    getUrl: null,
    ext: {},
    ...fields,
  };
}

describe('MessageBody', () => {
  it('draws text as text: markup is escaped and line breaks stay for pre-wrap', () => {
    const html = renderToStaticMarkup(<MessageBody message={message({ msg: '<img src=x onerror=alert(1)>\n第二行' })} />);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;\n第二行');
    expect(html).not.toContain('<img');
  });

  it('says an empty or blank text message is blank rather than drawing an empty bubble', () => {
    for (const msg of ['', ' \n\t', null]) {
      expect(renderToStaticMarkup(<MessageBody message={message({ msg })} />)).toBe(
        '<div class="bubble" data-kind="text"><span class="blank-text">（空白消息）</span></div>',
      );
    }
  });

  it('marks every match of a keyword in a text message as the API matches it, still as text', () => {
    const html = renderToStaticMarkup(<MessageBody message={message({ msg: '<b>REFUND</b> 与 ｒｅｆｕｎｄ，退款' })} keyword="Refund" />);
    expect(html).toBe(
      '<div class="bubble" data-kind="text"><span>&lt;b&gt;</span><mark>REFUND</mark><span>&lt;/b&gt; 与 </span><mark>ｒｅｆｕｎｄ</mark><span>，退款</span></div>',
    );
    expect(renderToStaticMarkup(<MessageBody message={message({ msg: '你好' })} keyword="退款" />)).toBe(
      '<div class="bubble" data-kind="text"><span>你好</span></div>',
    );
  });

  it('draws an image as its thumbnail linking to the full picture, or a placeholder', () => {
    const withThumb = renderToStaticMarkup(
      <MessageBody message={message({ type: 'img', getUrl: 'http://q/t.jpg?a=1&b=2', url: 'https://e/full.jpg' })} media={['http://q']} />,
    );
    expect(withThumb).toContain('<a href="https://e/full.jpg"');
    expect(withThumb).toContain('<img class="thumb" src="http://q/t.jpg?a=1&amp;b=2"');
    const without = renderToStaticMarkup(<MessageBody message={message({ type: 'img' })} />);
    expect(without).toContain('data-testid="image-placeholder"');
    expect(without).not.toContain('<a ');
  });

  it('never loads a picture from an unknown host by itself: a link the operator may click', () => {
    const html = renderToStaticMarkup(
      <MessageBody message={message({ type: 'video', thumb: 'https://tracker.example.net/p.gif', length: 3 })} media={[]} />,
    );
    expect(html).not.toContain('<img');
    expect(html).toContain(
      '<a class="placeholder" href="https://tracker.example.net/p.gif" target="_blank" rel="noreferrer noopener" data-testid="media-link">查看封面（外部地址，点击后加载）</a>',
    );
  });

  it('draws a file with its name and size, a location with its coordinates', () => {
    expect(renderToStaticMarkup(<MessageBody message={message({ type: 'file', filename: '<报价>.xlsx', file_length: 1536 })} />)).toContain(
      '&lt;报价&gt;.xlsx',
    );
    expect(renderToStaticMarkup(<MessageBody message={message({ type: 'file', filename: 'a', file_length: 1536 })} />)).toContain('1.5 KB');
    expect(renderToStaticMarkup(<MessageBody message={message({ type: 'loc', addr: '上海', lat: 31.2, lng: 121.5 })} />)).toContain(
      '31.200000, 121.500000',
    );
  });

  it('isolates a name or address the sender chose, so that its direction marks turn only it', () => {
    const spoof = '<b>报告</b>\u202Eexe.pdf';
    const file = renderToStaticMarkup(<MessageBody message={message({ type: 'file', filename: spoof, file_length: 1536 })} />);
    expect(file).toContain('<bdi>&lt;b&gt;报告&lt;/b&gt;\u202Eexe.pdf</bdi> <span');
    expect(file).toContain('（1.5 KB）');
    const linked = renderToStaticMarkup(<MessageBody message={message({ type: 'file', filename: spoof, url: 'https://x/a' })} />);
    expect(linked).toContain('<bdi>&lt;b&gt;报告&lt;/b&gt;\u202Eexe.pdf</bdi></a>');
    expect(renderToStaticMarkup(<MessageBody message={message({ type: 'loc', addr: '\u202E上海', lat: 1, lng: 2 })} />)).toContain(
      '位置：<bdi>\u202E上海</bdi>',
    );
  });
});

describe('Snippet', () => {
  it('wraps each match in <mark> and escapes the rest', () => {
    expect(renderToStaticMarkup(<Snippet snippet={'<i>退款</i>了'} offsets={[[3, 5]]} />)).toBe(
      '<span>&lt;i&gt;</span><mark>退款</mark><span>&lt;/i&gt;了</span>',
    );
  });
});
