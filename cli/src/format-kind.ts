// A workload kind as the user types and reads it: kubectl qualifies the Knative Service with its
// group (`service.serving.knative.dev/hello` in `kubectl get`), since a bare `Service` is the core
// v1 Service. `Kind.group` is what `reroll explain` takes back (`Service.serving.knative.dev/hello`).
const QUALIFIED: Record<string, string> = { Service: 'Service.serving.knative.dev' };

export function formatKind(kind: string): string {
  return QUALIFIED[kind] ?? kind;
}
