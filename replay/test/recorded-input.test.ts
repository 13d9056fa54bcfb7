import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseCloudEventFile, parseInputFile, parseRecording } from '../src/recorded-input';
import { listInputFiles, readInputs } from '../src/input-files';
import { EVENTS_DIR, fixture } from './fixtures';

describe('reading recordings', () => {
  it('reads every recorded request of both modes, empty scenarios included', () => {
    const messages = readInputs([EVENTS_DIR]);
    expect(messages).toHaveLength(44);
    expect(messages[0]!.origin).toMatch(/Reference\/01-create.jsonl:1$/);
    expect(messages.every((m) => m.headers['ce-specversion'] === '1.0')).toBe(true);
  });

  it('lists directories recursively in name order and keeps explicit files', () => {
    const files = listInputFiles([fixture('Resource'), fixture('Reference/06-delete.jsonl')]);
    expect(files[0]).toMatch(/Resource\/00-setup.jsonl$/);
    expect(files.at(-1)).toMatch(/Reference\/06-delete.jsonl$/);
  });

  it('keeps the raw body byte for byte', () => {
    const raw = readFileSync(fixture('Resource/07-binarydata-two-keys.jsonl'), 'utf8');
    const [m] = parseRecording(raw, 'x.jsonl');
    expect(m!.body).toBe((JSON.parse(raw) as { body: string }).body);
  });

  const cloudEventCases = [
    {
      name: 'one structured event',
      text: '{"specversion":"1.0","id":"1","type":"dev.knative.sources.ping","source":"/apis/v1/namespaces/demo/pingsources/resync"}',
      count: 1,
      origin: 'e.json',
    },
    {
      name: 'an array is a batch',
      text: '[{"specversion":"1.0","id":"1","type":"t","source":"s"},{"specversion":"1.0","id":"2","type":"t","source":"s"}]',
      count: 2,
      origin: 'e.json[0]',
    },
  ];
  for (const c of cloudEventCases) {
    it(`plain CloudEvent JSON: ${c.name}`, () => {
      const messages = parseCloudEventFile(c.text, 'e.json');
      expect(messages).toHaveLength(c.count);
      expect(messages[0]!.origin).toBe(c.origin);
      expect(messages[0]!.headers['content-type']).toBe('application/cloudevents+json');
    });
  }

  const bad = [
    {
      name: 'a broken line names file and line',
      file: 'r.jsonl',
      text: '{"method":"POST","headers":{},"body":""}\n{oops',
      error: /^r\.jsonl:2: not valid JSON/,
    },
    {
      name: 'a line without body',
      file: 'r.jsonl',
      text: '{"method":"POST","headers":{}}',
      error: /r\.jsonl:1: "body" must be the raw body/,
    },
    {
      name: 'headers not an object',
      file: 'r.jsonl',
      text: '{"headers":[],"body":""}',
      error: /"headers" must be an object/,
    },
    {
      name: 'a .json that is not a CloudEvent',
      file: 'c.json',
      text: '{"kind":"ConfigMap"}',
      error: /c\.json: not a CloudEvent in structured format/,
    },
    {
      name: 'an unknown extension',
      file: 'notes.txt',
      text: '',
      error: /expected a \.jsonl recording or a \.json CloudEvent file/,
    },
  ];
  for (const c of bad) it(`rejects ${c.name}`, () => expect(() => parseInputFile(c.text, c.file)).toThrow(c.error));

  it('a missing path is a clear error', () =>
    expect(() => listInputFiles(['/nope/none.jsonl'])).toThrow('/nope/none.jsonl: no such file or directory'));
});
