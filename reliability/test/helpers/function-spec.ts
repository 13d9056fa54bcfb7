// What a function process needs from its rendered Knative Service: the ServiceAccount it runs as and
// the plain env values of its container, so a real-tier test runs the bundle exactly as configured.
export interface FunctionSpec {
  serviceAccountName: string;
  env: Record<string, string>;
}

interface KnativeServiceShape {
  spec?: {
    template?: {
      spec?: { serviceAccountName?: string; containers?: { env?: { name: string; value?: string }[] }[] };
    };
  };
}

export function readFunctionSpec(ksvc: unknown): FunctionSpec {
  const podSpec = (ksvc as KnativeServiceShape).spec?.template?.spec;
  if (!podSpec?.serviceAccountName) throw new Error('Knative Service has no spec.template.spec.serviceAccountName');
  const env: Record<string, string> = {};
  for (const v of podSpec.containers?.[0]?.env ?? []) if (v.value !== undefined) env[v.name] = v.value;
  return { serviceAccountName: podSpec.serviceAccountName, env };
}
