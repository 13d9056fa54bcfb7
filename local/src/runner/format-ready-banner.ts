// What `npm start` prints once everything is up: how to point kubectl at the emulator, and the
// commands of seed 000's walkthrough with the real hosts, namespace and ConfigMap key.
export interface BannerInput {
  kubeconfigPath: string;
  gatewayUrl: string;
  namespace: string;
  apps: { env: string; host: string; configMap: string; key: string }[];
  /** More commands to try (the mesh port's, format-mesh-commands.ts), printed before the last line. */
  extraLines?: string[];
}

/** Quotes a value for a POSIX shell. */
function shellQuote(value: string): string {
  return /^[\w./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export const READY_LINE = 'reroll local mode is ready';
const ROLL_DELAY_LINE = '  # reroll patches the Deployment about a second later (it cold-starts); then:';

export function formatReadyBanner(b: BannerInput): string {
  const lines = [
    '',
    `${READY_LINE}. In another terminal:`,
    '',
    `  export KUBECONFIG=${shellQuote(b.kubeconfigPath)}`,
    `  # gateway: ${b.gatewayUrl}`,
  ];
  for (const app of b.apps.filter((a) => a.host)) {
    lines.push(`  curl -H ${shellQuote(`Host: ${app.host}`)} ${b.gatewayUrl}/`);
  }
  const target = b.apps.find((a) => a.env === 'test') ?? b.apps[0];
  if (target?.configMap) {
    const patch = JSON.stringify({ data: { [target.key]: 'Hello again' } });
    lines.push(
      `  kubectl patch configmap ${target.configMap} -n ${b.namespace} --type merge -p ${shellQuote(patch)}`,
      // the rollout is asynchronous: run at once, rollout status reports the previous, finished one
      ROLL_DELAY_LINE,
      `  kubectl rollout status deployment/${target.configMap} -n ${b.namespace}`,
    );
  }
  lines.push(...(b.extraLines ?? []), '', 'Ctrl-C stops everything.', '');
  return lines.join('\n');
}
