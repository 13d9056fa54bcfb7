// stack.yml and the functions' Dockerfiles.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkStack, parseStack } from '../src/check-stack';
import { lintDockerfile } from '../src/lint-dockerfile';
import { repoPath, repoRoot } from '../src/repo-paths';

const stackText = await readFile(repoPath('stack.yml'), 'utf8');
const { functions } = parseStack(stackText);

describe('stack.yml', () => {
  it('has both functions and passes every check', () => {
    expect(functions.map((f) => f.name).sort()).toEqual(['hello', 'restart']);
    expect(checkStack(stackText, repoRoot)).toEqual([]);
  });

  it('runs restart as the reroll-restart ServiceAccount', () => {
    const restart = functions.find((f) => f.name === 'restart');
    expect((restart?.spec.annotations as Record<string, string>)['com.openfaas.serviceaccount']).toBe('reroll-restart');
  });

  const broken = [
    {
      name: 'a handler folder that does not exist',
      from: './functions/hello',
      to: './functions/helo',
      expected: 'function hello: handler folder ./functions/helo does not exist',
    },
    {
      name: 'no scale-to-zero label',
      from: "com.openfaas.scale.zero: 'true' # idle",
      to: "com.openfaas.scale.zero: 'false' # idle",
      expected: 'function restart: labels must set com.openfaas.scale.zero: "true"',
    },
    {
      name: 'a template language',
      from: 'lang: dockerfile\n    handler: ./functions/restart',
      to: 'lang: node20\n    handler: ./functions/restart',
      expected: 'function restart: lang must be dockerfile, is node20',
    },
    {
      name: 'a misspelt key',
      from: 'readonly_root_filesystem: true\n    requests:\n      cpu: 25m',
      to: 'readonly_rootfs: true\n    requests:\n      cpu: 25m',
      expected: 'function hello: unknown key readonly_rootfs',
    },
    {
      name: 'a latest image',
      from: 'ghcr.io/reroll/hello:0.1.0',
      to: 'ghcr.io/reroll/hello:latest',
      expected: 'function hello: image must carry an explicit tag other than latest',
    },
    {
      name: 'a copy path that does not exist',
      from: '- ./replay',
      to: '- ./replay-tool',
      expected: 'configuration.copy names ./replay-tool, which does not exist',
    },
    { name: 'YAML that does not parse', from: 'functions:', to: 'functions: [', expected: 'stack.yml: invalid YAML' },
  ];
  for (const c of broken) {
    it(`rejects ${c.name}`, () => {
      expect(stackText).toContain(c.from);
      expect(checkStack(stackText.replace(c.from, c.to), repoRoot).join('\n')).toContain(c.expected);
    });
  }
});

describe('Dockerfiles', () => {
  for (const { name, spec } of functions) {
    it(`${String(spec.handler)}/Dockerfile lints clean`, async () => {
      const text = await readFile(repoPath(String(spec.handler), 'Dockerfile'), 'utf8');
      expect(lintDockerfile(text), name).toEqual([]);
    });
  }

  for (const { name, spec } of functions) {
    const handler = String(spec.handler).replace(/^\.\//, '');
    it(`${handler}/Dockerfile builds the bundle its package's build script makes, and runs it`, async () => {
      const text = await readFile(repoPath(handler, 'Dockerfile'), 'utf8');
      const pkg = JSON.parse(await readFile(repoPath(handler, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      };
      expect(pkg.scripts?.build, `${handler}/package.json has no build script`).toBeTruthy();
      expect(text).toContain(`npm run build --workspace ${handler}`);
      expect(text).toContain(`COPY --from=build /src/${handler}/dist/${name}.mjs ./${name}.mjs`);
      expect(text).toContain(`CMD ["node", "${name}.mjs"]`);
    });
  }

  const good = [
    'FROM node:20.20.2-bookworm-slim AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN npm ci && npm run build --workspace functions/hello',
    'FROM node:20.20.2-bookworm-slim',
    'COPY --from=build /src/functions/hello/dist/hello.mjs ./hello.mjs',
    'USER 1000:1000',
    'EXPOSE 8080',
    'CMD ["node", "hello.mjs"]',
  ].join('\n');
  const broken = [
    {
      name: 'a single stage',
      edit: (t: string) => t.split('\n').slice(4).join('\n').replace('COPY --from=build', 'COPY'),
      expected: '[multi-stage]',
    },
    {
      name: 'the latest tag',
      edit: (t: string) => t.replaceAll('node:20.20.2-bookworm-slim', 'node:latest'),
      expected: '[pinned-base] node:latest',
    },
    {
      name: 'an unpinned Node 20',
      edit: (t: string) => t.replace('node:20.20.2-bookworm-slim AS', 'node:20-slim AS'),
      expected: '[pinned-base] node:20-slim',
    },
    {
      name: 'a full (non-slim) image',
      edit: (t: string) => t.replace('FROM node:20.20.2-bookworm-slim\n', 'FROM node:20.20.2-bookworm\n'),
      expected: '[pinned-base] node:20.20.2-bookworm',
    },
    { name: 'running as root', edit: (t: string) => t.replace('USER 1000:1000', 'USER root'), expected: '[non-root]' },
    { name: 'no USER at all', edit: (t: string) => t.replace('USER 1000:1000\n', ''), expected: '[non-root]' },
    {
      name: 'a shell-form CMD',
      edit: (t: string) => t.replace('CMD ["node", "hello.mjs"]', 'CMD node hello.mjs'),
      expected: '[exec-form]',
    },
    {
      name: 'an unknown instruction',
      edit: (t: string) => t.replace('WORKDIR /src', 'WORKDIRR /src'),
      expected: '[dockerfile-utils]',
    },
    {
      name: 'npm in the runtime stage',
      edit: (t: string) => t.replace('USER 1000:1000', 'RUN npm ci\nUSER 1000:1000'),
      expected: '[runtime-only]',
    },
  ];
  it('the reference Dockerfile of these cases is clean', () => {
    expect(lintDockerfile(good)).toEqual([]);
  });
  for (const c of broken) {
    it(`rejects ${c.name}`, () => {
      expect(lintDockerfile(c.edit(good)).join('\n')).toContain(c.expected);
    });
  }
});
