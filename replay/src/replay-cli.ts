// npm run replay -- FILE|DIR… --to URL [--mode binary|structured|batch] [--rate N] [--repeat N]
//                   [--expect rolled=1,unchanged=2 …] [--as-recorded]
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { REPLAY_MODES, type ReplayMode } from './build-requests';
import { parseExpectations } from './expectations';
import { readInputs } from './input-files';
import { createFetchSender } from './http-send';
import { resolveFromInvocationDir } from './invocation-dir';
import { runReplay, type ProgressPort } from './run-replay';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0');
  return n;
}
function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
}
function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('must be a URL like http://127.0.0.1:8080/');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('must be an http(s) URL');
  return value;
}

// Only worth drawing for long inputs, and only for a human watching a terminal.
const PROGRESS_MIN_REQUESTS = 20;

function terminalProgress(): ProgressPort | undefined {
  if (!process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let active = false;
  return {
    start: (total) => {
      active = total >= PROGRESS_MIN_REQUESTS;
      if (active) bar.start(total, 0);
    },
    increment: () => active && bar.increment(),
    stop: () => active && bar.stop(),
  };
}

const program = new Command()
  .name('replay')
  .description('Re-send recorded ApiServerSource requests (or CloudEvent JSON files) to a URL and check the answers')
  .argument('<inputs...>', '.jsonl recordings, .json CloudEvent files, or directories of them')
  .requiredOption('--to <url>', 'where to send (e.g. the restart function)', httpUrl)
  .addOption(new Option('--mode <mode>', 'CloudEvents HTTP mode').choices(REPLAY_MODES).default('binary'))
  .option('--rate <n>', 'requests per second (default: one after the other, as fast as answers come)', positiveNumber)
  .option('--repeat <n>', 'send everything n times', positiveInteger, 1)
  .option(
    '--expect <totals>',
    'expected decision totals, e.g. rolled=1,unchanged=2 (repeatable)',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .option('--as-recorded', 'send the captured headers and body as they were instead of rebuilding the events', false)
  .showHelpAfterError();

program.action(
  async (
    inputs: string[],
    opts: { to: string; mode: ReplayMode; rate?: number; repeat: number; expect: string[]; asRecorded: boolean },
  ) => {
    try {
      const messages = readInputs(inputs.map((input) => resolveFromInvocationDir(input, process.env)));
      if (messages.length === 0) throw new Error(`no requests found in ${inputs.join(' ')}`);
      const outcome = await runReplay(messages, {
        to: opts.to,
        mode: opts.mode,
        rate: opts.rate,
        repeat: opts.repeat,
        asRecorded: opts.asRecorded,
        expect: parseExpectations(opts.expect),
        send: createFetchSender(),
        print: (line) => console.log(line),
        printError: (line) => console.error(line),
        progress: terminalProgress(),
      });
      process.exitCode = outcome.exitCode;
    } catch (err) {
      console.error(`replay: ${(err as Error).message}`);
      process.exitCode = 2;
    }
  },
);

await program.parseAsync();
