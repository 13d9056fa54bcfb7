// The commands, given a cluster reader, a clock and an output: main.ts supplies the real ones, the
// tests an emulator's. Exit codes: explain 0 in sync, 1 a rollout is due (or deferred), 2 error.
import { Command, CommanderError, Option } from 'commander';
import { explainWorkload, type Explanation, type MatchMode, type Workload } from '@reroll/restart/core';
import { formatExplanation, formatState } from './format-explain';
import { formatKind } from './format-kind';
import { formatTable } from './format-table';
import { parseWorkloadArg } from './parse-workload-arg';
import type { ClusterReader, NamespaceSnapshot } from './read-cluster';

export interface CliContext {
  reader: ClusterReader;
  /** the kubeconfig context's namespace (kubectl's default) */
  defaultNamespace: string;
  now: () => Date;
  out: (text: string) => void;
  err: (text: string) => void;
}

interface CommonOptions {
  namespace?: string;
  output?: 'json' | 'text';
  match: MatchMode;
  maxRolloutsPerMinute?: string;
}

export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  let code = 0;
  const program = new Command('reroll')
    .description("why did (or didn't) my workload roll? read-only, with the restart function's own rules")
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out(s.trimEnd()), writeErr: (s) => ctx.err(s.trimEnd()) });

  const common = (cmd: Command) =>
    cmd
      .option('-n, --namespace <namespace>', "namespace (default: the kubeconfig context's)")
      .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'text']).default('text'))
      .addOption(
        new Option('--match <mode>', "the function's REROLL_MATCH")
          .choices(['reference', 'labels', 'both'])
          .default('both'),
      )
      .option('--max-rollouts-per-minute <n>', "the function's REROLL_MAX_ROLLOUTS_PER_MINUTE (default: none)");

  common(program.command('explain <workload>').description('explain one workload: <kind>/<name>')).action(
    async (arg: string, opts: CommonOptions) => {
      code = await explain(arg, opts, ctx);
    },
  );
  common(program.command('status').description('one row per opted-in workload'))
    .option('-A, --all-namespaces', 'every namespace')
    .action(async (opts: CommonOptions & { allNamespaces?: boolean }) => {
      code = await status(opts, ctx);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    ctx.err(`error: ${describeError(err)}`);
    return 2;
  }
}

function budgetOf(opts: CommonOptions): number | undefined {
  if (opts.maxRolloutsPerMinute === undefined) return undefined;
  const n = Number(opts.maxRolloutsPerMinute);
  if (!/^\d+$/.test(opts.maxRolloutsPerMinute)) throw new Error('--max-rollouts-per-minute: not a whole number');
  return n > 0 ? n : undefined;
}

/** The budget counts every workload of the namespace, so each is explained against the whole snapshot. */
function explainOne(workload: Workload, snapshot: NamespaceSnapshot, opts: CommonOptions, now: Date): Explanation {
  const max = budgetOf(opts);
  return explainWorkload(workload, snapshot.configs, snapshot.workloads, {
    match: opts.match,
    onDelete: 'ignore',
    now,
    ...(max ? { maxRolloutsPerMinute: max } : {}),
  });
}

async function explain(arg: string, opts: CommonOptions, ctx: CliContext): Promise<number> {
  const target = parseWorkloadArg(arg);
  if (!target.ok) {
    ctx.err(`error: ${target.error}`);
    return 2;
  }
  const namespace = opts.namespace ?? ctx.defaultNamespace;
  const snapshot = await ctx.reader.readNamespace(namespace, opts.match);
  for (const w of snapshot.warnings) ctx.err(`warning: ${w}`);
  const workload = snapshot.workloads.find((w) => w.kind === target.kind && w.object.metadata?.name === target.name);
  if (!workload) {
    ctx.err(`error: ${formatKind(target.kind)} ${namespace}/${target.name} not found`);
    return 2;
  }
  const explanation = explainOne(workload, snapshot, opts, ctx.now());
  ctx.out(opts.output === 'json' ? JSON.stringify(explanation, null, 2) : formatExplanation(explanation));
  return explanation.due ? 1 : 0;
}

async function status(opts: CommonOptions & { allNamespaces?: boolean }, ctx: CliContext): Promise<number> {
  const namespaces = opts.allNamespaces ? await ctx.reader.listNamespaces() : [opts.namespace ?? ctx.defaultNamespace];
  const now = ctx.now();
  const rows: Explanation[] = [];
  for (const namespace of namespaces) {
    const snapshot = await ctx.reader.readNamespace(namespace, opts.match);
    for (const w of snapshot.warnings) ctx.err(`warning: ${w}`);
    rows.push(
      ...snapshot.workloads.map((w) => explainOne(w, snapshot, opts, now)).filter((e) => e.state !== 'not opted in'),
    );
  }
  rows.sort((a, b) => `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`));
  if (opts.output === 'json') {
    ctx.out(JSON.stringify({ items: rows }, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    ctx.err(
      opts.allNamespaces
        ? 'No opted-in workloads found.'
        : `No opted-in workloads found in ${namespaces[0]} namespace.`,
    );
    return 0;
  }
  const headers = ['kind', 'name', 'configs', 'state', 'last rollout'];
  const table = rows.map((e) => [
    formatKind(e.kind),
    e.name,
    e.configs.map((c) => `${c.kind}/${c.name}`).join(',') || '<none>',
    formatState(e),
    e.lastRollout ?? '<none>',
  ]);
  ctx.out(
    opts.allNamespaces
      ? formatTable(
          ['namespace', ...headers],
          table.map((r, i) => [rows[i]!.namespace, ...r]),
        )
      : formatTable(headers, table),
  );
  return 0;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0]!;
  return String(err);
}
