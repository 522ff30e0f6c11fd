import { ConfigError, loadConfig } from './config/app-config';
import { createApp } from './bootstrap';

/** After SIGTERM, in-flight requests get this long to finish before the process exits anyway. */
const DRAIN_LIMIT_MS = 25_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.listenHost });
  const where =
    config.database.type === 'sqlite'
      ? `SQLite ${config.database.path}`
      : `MySQL ${config.database.host}:${config.database.port}/${config.database.database}`;
  const shown =
    config.listenHost === '0.0.0.0' || config.listenHost === '::'
      ? `every interface, port ${config.port}`
      : `http://${config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost}:${config.port}`;
  process.stderr.write(`Op API listening on ${shown} (${where})\n`);

  // Stop taking connections, let in-flight requests and callbacks finish, flush the audit
  // buffer, close the pool, then exit 0.
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`Op API: ${signal}, draining\n`);
    setTimeout(() => {
      process.stderr.write('Op API: drain limit reached, exiting\n');
      process.exit(1);
    }, DRAIN_LIMIT_MS).unref();
    // A keep-alive connection whose request finishes during the drain would otherwise hold
    // the server open until its keep-alive timeout: close each as soon as it goes idle.
    const server = app.getHttpServer();
    setInterval(() => server.closeIdleConnections(), 50).unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError
      ? `${error.message}\n`
      : `Op API failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
