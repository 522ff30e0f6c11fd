import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

// Each page names itself; the tab reads "会话搜索 · Op 客服管理后台".
export const metadata: Metadata = { title: { template: '%s · Op 客服管理后台', default: 'Op 客服管理后台' } };
export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="zh-CN">
      <body>{children}</body>
    </html>
  );
}
