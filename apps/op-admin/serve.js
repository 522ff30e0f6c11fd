#!/usr/bin/env node
// The panel's server: Next.js (the `next build` output) behind a plain Node HTTP server, so
// that each request carries what only the connection knows and each answer what a browser
// needs to stay safe:
// - `x-op-user-ip`: the browser's address (the socket's, or with OP_ADMIN_TRUSTED_PROXY_HOPS
//   set, the one that many proxies in front of the panel saw), replacing any value the
//   browser sent. The panel hands it to the API's sign-in throttle, which trusts it from the
//   panel's client only. (`next start` keeps a browser's own X-Forwarded-For, so it cannot.)
// - `x-op-url`: the path and query asked for (replacing any value the browser sent), so a
//   page that sends a signed-out browser to sign-in can bring it back afterwards.
// - A Content-Security-Policy with a fresh nonce (Next puts it on its own scripts), images
//   only from this origin and OP_ADMIN_MEDIA_HOSTS, no framing; Referrer-Policy, nosniff and
//   X-Frame-Options for browsers that predate frame-ancestors.
// Usage: PORT=3001 OP_ADMIN_LISTEN_HOST=127.0.0.1 node apps/op-admin/serve.js
const { randomBytes } = require('node:crypto');
const { createServer } = require('node:http');
const next = require('next');

const dir = __dirname;
const port = Number(process.env.PORT ?? 3001);
const hostname = process.env.OP_ADMIN_LISTEN_HOST ?? '0.0.0.0';
if (!/^\d+$/.test(process.env.PORT ?? '3001') || port > 65535) {
  process.stderr.write('配置错误：PORT 必须是 0 到 65535 之间的整数\n');
  process.exit(1);
}
const hops = Number(process.env.OP_ADMIN_TRUSTED_PROXY_HOPS ?? 0);
if (!Number.isInteger(hops) || hops < 0 || hops > 10) {
  process.stderr.write('配置错误：OP_ADMIN_TRUSTED_PROXY_HOPS 必须是 0 到 10 之间的整数\n');
  process.exit(1);
}

/** Origins images may load from: `https://img.example.com` or a bare host (then https and http). */
function mediaSources(raw) {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => /^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(entry))
    .flatMap((entry) => (/^https?:\/\//.test(entry) ? [entry] : [`https://${entry}`, `http://${entry}`]));
}

const images = ["'self'", 'data:', ...mediaSources(process.env.OP_ADMIN_MEDIA_HOSTS)].join(' ');

function policy(nonce) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    `img-src ${images}`,
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The browser's address: the socket's, or the one `hops` trusted proxies recorded. */
function userAddress(request) {
  const socket = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (hops === 0) return socket;
  const chain = String(request.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return chain[chain.length - hops] ?? socket;
}

const app = next({ dev: false, dir, hostname, port });
const handle = app.getRequestHandler();

app.prepare().then(
  () => {
    createServer((request, response) => {
      // A path the router cannot decode (`/chats/%E0%A4%A`) is refused here, not as a 500 from inside.
      try {
        decodeURIComponent((request.url ?? '/').split('?', 1)[0]);
      } catch {
        response.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff' });
        response.end(
          '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>请求地址无效</title><h1>请求地址无效</h1><p><a href="/">返回会话搜索</a></p></html>',
        );
        return;
      }
      request.headers['x-op-user-ip'] = userAddress(request);
      // The page asked for, so sign-in can return to it (a deep link opened while signed out).
      request.headers['x-op-url'] = request.url ?? '/';
      const nonce = randomBytes(16).toString('base64');
      const csp = policy(nonce);
      // Next reads the nonce from the request's policy and sets it on the scripts it renders.
      request.headers['content-security-policy'] = csp;
      response.setHeader('Content-Security-Policy', csp);
      response.setHeader('X-Frame-Options', 'DENY');
      response.setHeader('Referrer-Policy', 'no-referrer');
      response.setHeader('X-Content-Type-Options', 'nosniff');
      void handle(request, response);
    })
      .on('error', (error) => {
        // A port taken (EADDRINUSE) or not ours to bind: said, and a failure, not Next's uncaught exception and exit 0.
        process.stderr.write(`Op admin panel failed to start: ${error.message}\n`);
        process.exit(1);
      })
      .listen(port, hostname, function () {
        process.stderr.write(`Op admin panel listening on http://${hostname}:${this.address().port}\n`);
      });
  },
  (error) => {
    process.stderr.write(`Op admin panel failed to start: ${error.message}\n`);
    process.exit(1);
  },
);
