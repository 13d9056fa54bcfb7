// The local runner behind `npm start`, and its parts for tests and other tools.
export { startRunner, type Runner, type RunnerOptions } from './start-runner';
export { startGateway, type Gateway, type GatewayOptions } from './gateway';
export { startFunctionActivator, type FunctionActivator } from './function-activator';
export { createPodSupervisor, type PodSupervisor, type SupervisorPort } from './pod-supervisor';
export { resolvePodInputs, listReferencedObjects, type PodInputs } from './resolve-pod-inputs';
export { resolveRoute, type RouteDecision, type Endpoint } from './resolve-route';
export { renderManifests, applyManifests, parseManifests } from './render-manifests';
export { computeDeploymentStatus, hashPodTemplate } from './compute-deployment-status';
