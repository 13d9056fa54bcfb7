// `npm run replay` (root script → workspace script) runs with cwd = replay/, but users type
// paths relative to where they ran npm: npm passes that directory as INIT_CWD.
import path from 'node:path';

export function resolveFromInvocationDir(file: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(env.INIT_CWD ?? process.cwd(), file);
}
