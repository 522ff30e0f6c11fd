/** Query parameters and fields that never reach a log line. */
export const SECRET_PARAMS = ['sign', 'token', 'secret', 'password', 'nonce'];

/** A URL with the values of sensitive query parameters replaced. */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  const at = url.indexOf('?');
  if (at < 0) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  for (const name of [...params.keys()]) if (SECRET_PARAMS.includes(name.toLowerCase())) params.set(name, '[REDACTED]');
  return `${url.slice(0, at)}?${params.toString()}`;
}

/** pino `redact` paths: headers and body fields that carry credentials. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.sign',
  '*.security',
  '*.callbackSecret',
];
