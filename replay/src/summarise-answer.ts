// Pure: the restart function's answer → one printable line per event, and decision totals.
// Answer shape (DESIGN.md): {event:{id,type,subject}, decisions:[{kind,namespace,name,action,reason}]};
// a batch may be answered with an array of those (or {results:[…]}).
import type { ReplayRequest } from './build-requests';

export const ACTIONS = ['rolled', 'recorded', 'unchanged', 'skipped', 'failed'] as const;
export type Totals = Record<string, number>;

type Decision = { action?: unknown };
type EventAnswer = { event?: { type?: unknown; subject?: unknown }; decisions?: unknown };

export type AnswerSummary = {
  lines: string[];
  totals: Totals;
  /** 4xx/5xx or no answer at all. */
  failed: boolean;
};

function countDecisions(decisions: unknown): Totals {
  const totals: Totals = {};
  if (!Array.isArray(decisions)) return totals;
  for (const d of decisions as Decision[]) {
    const action = typeof d?.action === 'string' ? d.action : 'unknown';
    totals[action] = (totals[action] ?? 0) + 1;
  }
  return totals;
}

/** "rolled=1 unchanged=2": known actions first in a fixed order, then any others alphabetically. */
export function formatTotals(totals: Totals): string {
  const known = ACTIONS.filter((a) => totals[a]).map((a) => `${a}=${totals[a]}`);
  const other = Object.keys(totals)
    .filter((a) => !(ACTIONS as readonly string[]).includes(a) && totals[a])
    .sort()
    .map((a) => `${a}=${totals[a]}`);
  const all = [...known, ...other];
  return all.length ? all.join(' ') : 'no decisions';
}

export function addTotals(into: Totals, more: Totals): Totals {
  for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v;
  return into;
}

function eventAnswers(answer: unknown): EventAnswer[] | undefined {
  if (Array.isArray(answer)) return answer as EventAnswer[];
  if (typeof answer !== 'object' || answer === null) return undefined;
  const a = answer as Record<string, unknown>;
  if ('decisions' in a) return [a];
  for (const key of ['results', 'events']) if (Array.isArray(a[key])) return a[key] as EventAnswer[];
  return undefined;
}

function errorText(answer: unknown, raw: string): string {
  if (typeof answer === 'object' && answer !== null) {
    const a = answer as Record<string, unknown>;
    const parts = [a.error, typeof a.field === 'string' && a.field && `field=${a.field}`, a.detail ?? a.message].filter(
      (p) => typeof p === 'string' && p,
    );
    if (parts.length) return parts.join(' ');
  }
  const text = raw.trim().replace(/\s+/g, ' ');
  return text.length > 200 ? text.slice(0, 200) + '…' : text || '(empty answer)';
}

const str = (v: unknown, fallback: string) => (typeof v === 'string' && v ? v : fallback);

/** status 0 = no answer (connection error), with `raw` holding the error message. */
export function summariseAnswer(request: ReplayRequest, status: number, raw: string): AnswerSummary {
  let answer: unknown;
  try {
    answer = raw ? JSON.parse(raw) : undefined;
  } catch {
    answer = undefined;
  }
  const failed = status === 0 || status >= 400;
  const statusText = status === 0 ? 'ERR' : String(status);
  const answers = failed ? undefined : eventAnswers(answer);
  const totals: Totals = {};
  const lines = request.events.map((sent, i) => {
    const got = answers?.[i];
    const type = str(got?.event?.type, sent.type);
    const subject = str(got?.event?.subject, sent.subject ?? '-');
    if (failed) return `${statusText} ${type} ${subject} error: ${errorText(answer, raw)}`;
    const counts = countDecisions(got?.decisions);
    addTotals(totals, counts);
    return `${statusText} ${type} ${subject} ${got ? formatTotals(counts) : 'no decisions in answer'}`;
  });
  return { lines, totals, failed };
}
