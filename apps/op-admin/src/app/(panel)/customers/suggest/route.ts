import type { CustomerListData } from '@op/contracts';
import { attempt, opClient, readSession } from '@/lib/op-server';

/** How many customers the picker offers at a time. */
const SUGGESTIONS = 10;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/**
 * `/customers/suggest?prefix=u0001fd`: the customers (of the signed-in operator's chats, as
 * `customerList` answers them) whose id starts with the prefix, for the search page's picker.
 * JSON for a script, never a redirect: without a session, or when the API refuses, the
 * picker simply offers nothing and the field stays a plain input.
 */
export async function GET(request: Request): Promise<Response> {
  const session = await readSession();
  if (!session) return new Response(JSON.stringify({ customers: [] }), { status: 401, headers: JSON_HEADERS });
  const prefix = (new URL(request.url).searchParams.get('prefix') ?? '').trim().slice(0, 128);
  const client = await opClient(session.token);
  const result = await attempt(() => client.customerList({ prefix, limit: SUGGESTIONS }));
  if (!result.ok) return new Response(JSON.stringify({ customers: [] }), { status: result.code, headers: JSON_HEADERS });
  const data: CustomerListData = result.value.data ?? { customers: [] };
  return new Response(JSON.stringify(data), { status: 200, headers: JSON_HEADERS });
}
