// Kustomization files use only current fields (kustomize v5 deprecates these and
// `kustomize edit fix` rewrites them), and generated ConfigMaps keep their names: a hash suffix
// would make every change a new ConfigMap, so the restart function would never see an update.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { asArray, asRecord } from './kube-object';
import { repoPath, repoRoot } from './repo-paths';

const DEPRECATED: Record<string, string> = {
  commonLabels: 'labels (with includeSelectors where selectors need them)',
  patchesStrategicMerge: 'patches',
  patchesJson6902: 'patches',
  bases: 'resources',
  vars: 'replacements',
  imageTags: 'images',
};

export function checkKustomizationFields(text: string, file: string): string[] {
  const doc = asRecord(parse(text));
  const problems = Object.keys(doc)
    .filter((k) => k in DEPRECATED)
    .map((k) => `${file}: ${k} is deprecated, use ${DEPRECATED[k]}`);
  const generatorOptions = asRecord(doc.generatorOptions);
  for (const field of ['configMapGenerator', 'secretGenerator']) {
    for (const g of asArray(doc[field])) {
      const options = { ...generatorOptions, ...asRecord(asRecord(g).options) };
      if (options.disableNameSuffixHash !== true) {
        problems.push(
          `${file}: ${field} ${String(asRecord(g).name)} needs options.disableNameSuffixHash: true (a hashed name defeats reroll)`,
        );
      }
    }
  }
  return problems;
}

/** Every kustomization.yaml under the given folders, relative to the repository root. */
export async function findKustomizations(...dirs: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const entry of await readdir(repoPath(dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name === 'kustomization.yaml') {
        found.push(relative(repoRoot, join(entry.parentPath, entry.name)));
      }
    }
  }
  return found.sort();
}

export async function readKustomization(file: string): Promise<string> {
  return readFile(repoPath(file), 'utf8');
}
