import type { ReactNode } from 'react';
import { PanelHeader } from '@/components/panel-header';
import { SessionWatch } from '@/components/session-watch';
import { requireSession } from '@/lib/op-server';

export default async function PanelLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  return (
    <>
      <PanelHeader session={session} />
      <SessionWatch who={`${session.operatorId}:${session.role}`} />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
