// Pure: the text of a recording (.jsonl, one captured request a line) or of a plain CloudEvent
// JSON file (structured format: one event, or an array = a batch) → HTTP messages to rebuild
// events from. Errors name the file and line.

export type RecordedMessage = {
  /** file:line (or file[index]) the message came from, for error messages. */
  origin: string;
  headers: Record<string, string>;
  body: string;
  /** Set for captured requests: the method and path they were sent with. */
  method?: string;
  path?: string;
};

function lowerCaseHeaders(headers: unknown, origin: string): Record<string, string> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    throw new Error(`${origin}: "headers" must be an object`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.join(', ');
    else if (typeof value === 'number') out[name.toLowerCase()] = String(value);
    else throw new Error(`${origin}: header ${JSON.stringify(name)} must be a string`);
  }
  return out;
}

/** One captured request per line: {method, path, headers, body, …}; blank lines are skipped. */
export function parseRecording(text: string, file: string): RecordedMessage[] {
  const messages: RecordedMessage[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const origin = `${file}:${i + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      throw new Error(`${origin}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record))
      throw new Error(`${origin}: each line must be a JSON object {method, path, headers, body}`);
    const r = record as Record<string, unknown>;
    if (typeof r.body !== 'string') throw new Error(`${origin}: "body" must be the raw body as a string`);
    messages.push({
      origin,
      headers: lowerCaseHeaders(r.headers, origin),
      body: r.body,
      method: typeof r.method === 'string' ? r.method : undefined,
      path: typeof r.path === 'string' ? r.path : undefined,
    });
  });
  return messages;
}

/** A plain CloudEvent JSON file: one structured-mode event or an array of them. */
export function parseCloudEventFile(text: string, file: string): RecordedMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((event, i) => {
    const origin = Array.isArray(parsed) ? `${file}[${i}]` : file;
    if (typeof event !== 'object' || event === null || Array.isArray(event))
      throw new Error(`${origin}: a CloudEvent must be a JSON object`);
    if (!('specversion' in event))
      throw new Error(`${origin}: not a CloudEvent in structured format (no "specversion")`);
    return { origin, headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) };
  });
}

/** Chooses the parser by extension: .jsonl recordings, .json CloudEvents. */
export function parseInputFile(text: string, file: string): RecordedMessage[] {
  if (file.endsWith('.jsonl')) return parseRecording(text, file);
  if (file.endsWith('.json')) return parseCloudEventFile(text, file);
  throw new Error(`${file}: expected a .jsonl recording or a .json CloudEvent file`);
}
