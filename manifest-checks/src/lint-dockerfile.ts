// Dockerfile lint. hadolint is not in Debian's archive nor installable from npm without downloading
// a binary (not possible here), so: dockerfile-utils' validate() (the linter behind VS Code's
// Dockerfile support: syntax, instruction arguments, flags, casing) plus the rules this project
// cares about, each named in its message.
import { validate, ValidationSeverity } from 'dockerfile-utils';

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions with continuation lines joined; comments and parser directives dropped. */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') start = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full);
    if (match) out.push({ keyword: (match[1] as string).toUpperCase(), args: match[2] as string, line: start });
  });
  return out;
}

/** `node:20.20.2-bookworm-slim`: Node 20, a full version, a slim variant; never latest or untagged. */
export const BASE_IMAGE = /^node:20\.\d+\.\d+-(?:[a-z]+-)?slim(?:@sha256:[0-9a-f]{64})?$/;

export function lintDockerfile(text: string): string[] {
  const problems = validate(text, { deprecatedMaintainer: ValidationSeverity.ERROR }).map(
    (d) =>
      `line ${d.range.start.line + 1}: [dockerfile-utils] ${typeof d.message === 'string' ? d.message : d.message.value}`,
  );
  const instructions = parseInstructions(text);
  const froms = instructions.filter((i) => i.keyword === 'FROM');
  if (froms.length < 2) problems.push('[multi-stage] needs a build stage and a runtime stage (two FROM)');
  const stageNames = new Set(froms.map((f) => /\bAS\s+(\S+)/i.exec(f.args)?.[1]?.toLowerCase()).filter(Boolean));
  for (const from of froms) {
    const image = from.args.split(/\s+/).find((a) => !a.startsWith('--')) ?? '';
    if (stageNames.has(image.toLowerCase())) continue;
    if (!BASE_IMAGE.test(image)) {
      problems.push(
        `line ${from.line}: [pinned-base] ${image} is not a pinned Node 20 slim image (node:20.x.y-slim, never latest)`,
      );
    }
  }
  const lastFrom = instructions.lastIndexOf(froms.at(-1) as Instruction);
  const runtime = instructions.slice(lastFrom + 1);
  const user = runtime.filter((i) => i.keyword === 'USER').at(-1);
  const name = user?.args.split(':')[0]?.trim();
  if (!user || name === 'root' || name === '0')
    problems.push('[non-root] the runtime stage must end with USER set to a non-root user');
  if (!runtime.some((i) => i.keyword === 'COPY' && /--from=/.test(i.args))) {
    problems.push('[multi-stage] the runtime stage copies nothing from the build stage');
  }
  if (runtime.some((i) => i.keyword === 'RUN' && /\bnpm\b/.test(i.args))) {
    problems.push('[runtime-only] the runtime stage must not run npm (copy the bundle only)');
  }
  const cmd = runtime.filter((i) => i.keyword === 'CMD').at(-1);
  if (!cmd?.args.startsWith('[')) problems.push('[exec-form] CMD must use the exec form so node receives SIGTERM');
  if (!runtime.some((i) => i.keyword === 'EXPOSE' && /\b8080\b/.test(i.args)))
    problems.push('[port] the runtime stage must EXPOSE 8080');
  if (/:latest\b/.test(text)) problems.push('[pinned-base] no image may use the latest tag');
  return problems;
}
