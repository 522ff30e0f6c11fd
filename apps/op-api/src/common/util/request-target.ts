/**
 * A request target in origin form (`/op/v2/chatMessageList?…`). A request line may name the
 * whole URL (absolute form, `POST http://host/op/v2/…`, which a server must accept: RFC 9112
 * §3.2.2, and which clients send through a forward proxy): its path starts after the authority.
 */
export function originForm(target: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (!absolute) return target;
  const rest = target.slice(absolute[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
