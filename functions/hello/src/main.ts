// Entry point, the only reader of process.env and of the message file: read both once, then serve
// until SIGTERM. A missing or unreadable message source stops the start with every reason listed.
import { readFileSync } from 'node:fs';
import { handleShutdownSignals } from '@reroll/function-runtime';
import { loadConfig } from './config';
import { resolveMessages, type MessageInputs } from './message';
import { startHello } from './start-hello';

function readFile(path: string): NonNullable<MessageInputs['file']> {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      path,
      readError:
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String((err as Error).message),
    };
  }
}

function fail(errors: string[]): never {
  console.error(`hello: cannot start:\n  ${errors.join('\n  ')}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) fail(loaded.errors);
  const { config } = loaded;
  const resolved = resolveMessages({
    envMessage: config.envMessage,
    file: config.messageFile === undefined ? undefined : readFile(config.messageFile),
  });
  if (!resolved.ok) fail(resolved.errors);
  const hello = await startHello({ config, messages: resolved.messages });
  handleShutdownSignals(hello.server, hello.logger);
}

main().catch((err: unknown) => {
  console.error('hello: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
