import { describe, expect, it } from 'vitest';
import { createConfigParser } from '../../src/core/parse-config';
import { renderTemplate } from '../../src/core/render-template';
import { configYaml, routesConfig, SEED_TEMPLATE } from '../helpers/fixtures';

const parse = createConfigParser();

describe('createConfigParser (seed 003 config.yaml)', () => {
  it("reads seed 003's example", () => {
    expect(parse(configYaml(routesConfig()))).toEqual({ ok: true, config: routesConfig() });
  });

  it('developerNamespaces may be left out: no developer routes', () => {
    const result = parse(`defaultNamespace: prod\nvirtualServiceTemplate: "x"\n`);
    expect(result).toMatchObject({ ok: true, config: { developerNamespaces: [] } });
  });

  it.each([
    [undefined, /no config.yaml key/],
    ['defaultNamespace: [', /not valid YAML/],
    ['virtualServiceTemplate: x\n', /defaultNamespace is required/],
    ['defaultNamespace: Not_A_Namespace\nvirtualServiceTemplate: x\n', /defaultNamespace must match pattern/],
    [
      'defaultNamespace: d\ndeveloperNamespaces: dev-alice\nvirtualServiceTemplate: x\n',
      /developerNamespaces must be array/,
    ],
  ])('%j → a clear error', (text, error) => {
    const result = parse(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toMatch(error);
  });

  it('an error names the field, never quotes the value', () => {
    const result = parse('defaultNamespace: s3cret_value\nvirtualServiceTemplate: x\n');
    expect(!result.ok && result.errors.join('\n')).not.toContain('s3cret_value');
  });
});

describe('renderTemplate', () => {
  it('substitutes both placeholders everywhere they appear', () => {
    const result = renderTemplate(SEED_TEMPLATE, { serviceName: 'web', defaultNamespace: 'prod' });
    expect(result).toMatchObject({
      ok: true,
      object: {
        metadata: { name: 'web-virtual-service', namespace: 'prod' },
        spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web.prod.svc.cluster.local' } }] }] },
      },
    });
  });

  it('refuses a template that is not an object', () => {
    expect(renderTemplate('- a\n- b\n', { serviceName: 'web', defaultNamespace: 'prod' })).toMatchObject({ ok: false });
  });
});
