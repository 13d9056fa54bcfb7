// CloudEvents as the real adapters send them (binary mode), for posting to the function under test.
import { CloudEvent, HTTP } from 'cloudevents';

export function configMapEvent(type: 'add' | 'update' | 'delete', name: string, namespace = 'demo') {
  return binary(
    new CloudEvent({
      type: `dev.knative.apiserver.ref.${type}`,
      source: 'https://10.96.0.1:443',
      subject: `/apis/v1/namespaces/${namespace}/configmaps/${name}`,
      kind: 'ConfigMap',
      name,
      namespace,
      datacontenttype: 'application/json',
      data: { kind: 'ConfigMap', namespace, name, apiVersion: 'v1' },
    }),
  );
}

export function pingEvent() {
  return binary(
    new CloudEvent({
      type: 'dev.knative.sources.ping',
      source: '/apis/v1/namespaces/demo/pingsources/reroll-resync',
      datacontenttype: 'application/json',
      data: {},
    }),
  );
}

function binary(event: CloudEvent<unknown>) {
  const msg = HTTP.binary(event);
  return { headers: msg.headers as Record<string, string>, body: msg.body as string };
}
