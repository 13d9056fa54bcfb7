// The message sources, pure: no fs, no process.env. The entry point reads them once at start and
// hands the text here; the app never reads them again (no hot reload: that is what restart is for).

export type Parsed = { ok: true; message: string } | { ok: false; error: string };

const MESSAGE_LINE = /^\s*(?:export\s+)?MESSAGE\s*=\s*(.*?)\s*$/;

/** `"a\nb"` -> a<newline>b, `'x'` -> x, `x # note` -> x: dotenv's quoting, and Python's for seed 001's config.cfg. */
function unquote(raw: string): string {
  const quote = raw[0];
  if ((quote === '"' || quote === "'") && raw.length >= 2) {
    const end = raw.lastIndexOf(quote);
    if (end > 0) {
      const inner = raw.slice(1, end);
      if (quote === "'") return inner;
      return inner.replace(
        /\\([nrt"\\])/g,
        (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' })[c] ?? c,
      );
    }
  }
  return raw.replace(/\s+#.*$/, '');
}

/**
 * The message in a mounted file. Two shapes, as they appear in practice:
 * - a file with a `MESSAGE=` line (dotenv, or seed 001's Python config.cfg `MESSAGE = '...'`): that
 *   value (the last one, as dotenv does);
 * - anything else (a ConfigMap key mounted as a file): the whole text, one trailing newline removed.
 *   So a message that merely contains `=` or `:` is never mistaken for configuration.
 */
export function parseMessageFile(text: string, path: string): Parsed {
  const assignments = text
    .split(/\r?\n/)
    .map((line) => MESSAGE_LINE.exec(line))
    .filter((m) => m !== null);
  const last = assignments.at(-1);
  if (last) return { ok: true, message: unquote(last[1] ?? '') };
  const message = text.replace(/\r?\n$/, '');
  if (message.trim() === '') return { ok: false, error: `${path} is empty` };
  return { ok: true, message };
}

export interface MessageInputs {
  /** ENV_MESSAGE, when set. */
  envMessage?: string;
  /** The message file, when configured: its text, or why it could not be read. */
  file?: { path: string; text: string } | { path: string; readError: string };
}

export interface Messages {
  /** What GET / answers: ENV_MESSAGE, else the file's message. */
  main: string;
  /** GET /message (seed 001). */
  fromEnv?: string;
  /** GET /messageFromFile (seed 001). */
  fromFile?: string;
}

export type Resolved = { ok: true; messages: Messages } | { ok: false; errors: string[] };

/** Checks every configured source at once, so one start-up error lists all that is wrong. */
export function resolveMessages(inputs: MessageInputs): Resolved {
  const errors: string[] = [];
  let fromFile: string | undefined;
  if (inputs.file) {
    if ('readError' in inputs.file)
      errors.push(`MESSAGE_FILE: cannot read ${inputs.file.path}: ${inputs.file.readError}`);
    else {
      const parsed = parseMessageFile(inputs.file.text, inputs.file.path);
      if (parsed.ok) fromFile = parsed.message;
      else errors.push(`MESSAGE_FILE: ${parsed.error}`);
    }
  }
  const fromEnv = inputs.envMessage;
  if (fromEnv === undefined && !inputs.file) {
    errors.push('no message source: set ENV_MESSAGE (the message) or MESSAGE_FILE (a file holding it)');
  }
  if (errors.length > 0) return { ok: false, errors };
  const main = fromEnv ?? fromFile ?? '';
  return { ok: true, messages: { main, fromEnv, fromFile } };
}
