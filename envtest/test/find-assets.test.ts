import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRealTierAssets } from '../src/find-assets';
import { sourceConfigFor } from '../src/adapter';

function folderWith(...names: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'envtest-assets-'));
  for (const name of names) {
    writeFileSync(path.join(dir, name), '#!/bin/sh\n');
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

describe('findRealTierAssets', () => {
  it('skips with a line naming the variables to set when KUBEBUILDER_ASSETS is unset', () => {
    const found = findRealTierAssets({});
    expect(found).toEqual({ skipReason: expect.stringMatching(/KUBEBUILDER_ASSETS.*REROLL_ADAPTER_BIN/) });
  });

  it('skips when the folder lacks kube-apiserver', () => {
    const found = findRealTierAssets({ KUBEBUILDER_ASSETS: folderWith('etcd') });
    expect('skipReason' in found && found.skipReason).toMatch(/no executable kube-apiserver/);
  });

  it('finds both adapter builds in a folder, by version, and the optional controller manager', () => {
    const dir = folderWith(
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'apiserver_receive_adapter',
      'apiserver_receive_adapter-v1.8.8',
    );
    const found = findRealTierAssets({ KUBEBUILDER_ASSETS: dir, REROLL_ADAPTER_BIN: dir });
    expect(found).toMatchObject({
      controllerManager: path.join(dir, 'kube-controller-manager'),
      adapters: [
        { version: '1.12.6', bin: path.join(dir, 'apiserver_receive_adapter') },
        { version: '1.8.8', bin: path.join(dir, 'apiserver_receive_adapter-v1.8.8') },
      ],
    });
  });

  it('accepts REROLL_ADAPTER_BIN naming one adapter file', () => {
    const dir = folderWith('etcd', 'kube-apiserver', 'apiserver_receive_adapter-v1.8.8');
    const found = findRealTierAssets({
      KUBEBUILDER_ASSETS: dir,
      REROLL_ADAPTER_BIN: path.join(dir, 'apiserver_receive_adapter-v1.8.8'),
    });
    expect(found).toMatchObject({ adapters: [{ version: '1.8.8' }] });
    expect('controllerManager' in found).toBe(false);
  });

  it('runs the control plane without adapters when REROLL_ADAPTER_BIN is unset', () => {
    const found = findRealTierAssets({ KUBEBUILDER_ASSETS: folderWith('etcd', 'kube-apiserver') });
    expect(found).toMatchObject({ adapters: [] });
  });

  it('skips with the reason when REROLL_ADAPTER_BIN points nowhere', () => {
    const found = findRealTierAssets({
      KUBEBUILDER_ASSETS: folderWith('etcd', 'kube-apiserver'),
      REROLL_ADAPTER_BIN: '/nonexistent/adapter',
    });
    expect('skipReason' in found && found.skipReason).toMatch(
      /REROLL_ADAPTER_BIN=\/nonexistent\/adapter does not exist/,
    );
  });
});

describe('sourceConfigFor', () => {
  const resources = [{ group: '', version: 'v1', resource: 'configmaps', selector: 'reroll.dev/watch=true' }];

  it('gives v1.12.6 a namespaces list and v1.8.8 one namespace, as each build parses it', () => {
    expect(JSON.parse(sourceConfigFor('1.12.6', ['a', 'b'], resources, 'Reference'))).toEqual({
      namespaces: ['a', 'b'],
      allNamespaces: false,
      resources: [{ gvr: { Group: '', Version: 'v1', Resource: 'configmaps' }, selector: 'reroll.dev/watch=true' }],
      mode: 'Reference',
    });
    expect(JSON.parse(sourceConfigFor('1.8.8', ['a'], resources, 'Resource'))).toMatchObject({
      namespace: 'a',
      mode: 'Resource',
    });
  });

  it('refuses several namespaces for v1.8.8, which would silently watch only one', () => {
    expect(() => sourceConfigFor('1.8.8', ['a', 'b'], resources, 'Reference')).toThrow(/one namespace/);
  });
});
