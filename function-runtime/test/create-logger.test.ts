import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index';

function collect(format: 'text' | 'json') {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'restart',
    format,
    level: 'info',
    destination: { write: (l: string) => lines.push(l) },
  });
  return { logger, lines };
}

describe('text format', () => {
  const cases = [
    {
      name: "seed 000's event line appears verbatim",
      log: (l: ReturnType<typeof collect>['logger']) =>
        l.info({ configmap: 'helloworld-test' }, '[event] type=MODIFIED configmap=helloworld-test env=test'),
      expected: '[event] type=MODIFIED configmap=helloworld-test env=test\n',
    },
    {
      name: 'warnings carry their level and the error message',
      log: (l: ReturnType<typeof collect>['logger']) => l.warn({ err: new Error('403 forbidden') }, 'patch refused'),
      expected: 'WARN patch refused error="403 forbidden"\n',
    },
    {
      name: 'structured fields are never printed (they could hold data)',
      log: (l: ReturnType<typeof collect>['logger']) => l.info({ data: { PASSWORD: 's3cr3t' } }, 'reconciled'),
      expected: 'reconciled\n',
    },
    {
      name: 'debug is filtered at info level',
      log: (l: ReturnType<typeof collect>['logger']) => l.debug('hidden'),
      expected: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { logger, lines } = collect('text');
      c.log(logger);
      expect(lines[0]).toBe(c.expected);
    });
  }
});

describe('json format', () => {
  it('writes one parseable object per line with level, time, name and fields', () => {
    const { logger, lines } = collect('json');
    logger.info(
      { configmap: 'helloworld-test', type: 'MODIFIED' },
      '[event] type=MODIFIED configmap=helloworld-test env=test',
    );
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 30, name: 'restart', configmap: 'helloworld-test', type: 'MODIFIED' });
    expect(typeof entry.time).toBe('string');
  });
});
