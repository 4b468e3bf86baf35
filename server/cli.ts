// `npm start -- [flags]`: load the config, buildApp(config), listen. With no flags it serves the
// embedded default model. SIGTERM/SIGINT: stop accepting, let in-flight requests finish until
// --shutdown-deadline (then cancel them), write every acknowledged `async` attribution record to
// the outbox (the engine and the training thread still run meanwhile), close them, exit 0.
import { buildApp } from './app.ts';
import { helpText, loadConfig, wantsHelp } from './config.ts';
import { LoraledgerError } from '../common/index.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  let config;
  try {
    config = loadConfig({ argv });
  } catch (err) {
    if (err instanceof LoraledgerError) {
      process.stderr.write(`loraledger: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const app = await buildApp(config);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen({ host: config.host, port: config.port });
  app.loraledger.engine.started.then(
    () =>
      app.log.info({ state: app.loraledger.engine.state, model: app.loraledger.baseModelId }, 'engine start finished'),
    () => {},
  );
}

main().catch((err: unknown) => {
  const message =
    err instanceof LoraledgerError ? `${err.code}: ${err.message}` : ((err as Error)?.stack ?? String(err));
  process.stderr.write(`loraledger failed to start: ${message}\n`);
  process.exit(1);
});
