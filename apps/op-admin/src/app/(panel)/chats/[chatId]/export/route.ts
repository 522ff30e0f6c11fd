import { EXPORT_FORMATS, type ExportFormat } from '@op/contracts';
import { relayFile } from '@/lib/file-download';

/** `/chats/<chatId>/export?format=jsonl|csv|html[&view=print]`: the transcript, from chatExport. */
export async function GET(request: Request, { params }: { params: Promise<{ chatId: string }> }): Promise<Response> {
  const { chatId } = await params;
  const url = new URL(request.url);
  const raw = url.searchParams.get('format') ?? 'html';
  const format = ((EXPORT_FORMATS as readonly string[]).includes(raw) ? raw : 'invalid') as ExportFormat;
  const print = url.searchParams.get('view') === 'print';
  return relayFile(request, (op) => op.chatExport({ chatId, format: print ? 'html' : format }), print);
}
