import { ConfigError, loadConfig } from './config/app-config';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.port, host: '0.0.0.0' });
  const where = config.database.type === 'sqlite' ? `SQLite ${config.database.path}` : `MySQL ${config.database.host}:${config.database.port}/${config.database.database}`;
  process.stderr.write(`Op API listening on http://127.0.0.1:${config.port} (${where})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Op API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
