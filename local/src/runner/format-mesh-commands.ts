// The mesh port's lines of the ready banner: the same call with and without x-developer, for
// each Service that has a developer copy (seed 003's walkthrough).
export interface MeshCommandsInput {
  meshUrl: string;
  developerNamespaces: string[];
  hosts: string[];
}

export function formatMeshCommands(m: MeshCommandsInput): string[] {
  const developer = m.developerNamespaces[0];
  if (!developer || m.hosts.length === 0) return [];
  const lines = [`  # mesh (as a sidecar routes; x-developer picks a developer's copy): ${m.meshUrl}`];
  for (const host of m.hosts)
    lines.push(
      `  curl -H 'Host: ${host}' -H 'x-developer: ${developer}' ${m.meshUrl}/`,
      `  curl -H 'Host: ${host}' ${m.meshUrl}/`,
    );
  return lines;
}
