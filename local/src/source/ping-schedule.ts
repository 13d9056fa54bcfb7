// When a PingSource fires. Cron expressions go through cron-parser (robfig/cron's standard
// 5-field syntax plus descriptors); "@every <duration>" (robfig-only) is handled here.
import { CronExpressionParser } from 'cron-parser';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go time.ParseDuration subset: 90s, 1m30s, 2h, 500ms. */
export function parseGoDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text)
    throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 30s, 5m, 1h30m)`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
}

export type Schedule = { next(after: Date): Date };

export function parseSchedule(schedule: string, timezone?: string): Schedule {
  const every = /^@every\s+(\S+)$/.exec(schedule.trim());
  if (every) {
    const ms = parseGoDuration(every[1]!);
    if (ms < 1000) throw new Error(`PingSource spec.schedule ${JSON.stringify(schedule)}: @every needs at least 1s`);
    return { next: (after) => new Date(after.getTime() + ms) };
  }
  const fields = schedule.trim().split(/\s+/);
  if (!schedule.trim().startsWith('@') && fields.length !== 5) {
    throw new Error(
      `PingSource spec.schedule ${JSON.stringify(schedule)} must have 5 fields (minute hour day-of-month month day-of-week)`,
    );
  }
  try {
    CronExpressionParser.parse(schedule, { tz: timezone });
  } catch (err) {
    throw new Error(
      `PingSource spec.schedule ${JSON.stringify(schedule)} is not a valid cron expression: ${(err as Error).message}`,
    );
  }
  return {
    next: (after) => CronExpressionParser.parse(schedule, { currentDate: after, tz: timezone }).next().toDate(),
  };
}
