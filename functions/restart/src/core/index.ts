// The pure core as other workspaces use it (the `reroll` CLI explains with exactly these rules).
export * from './decide';
export * from './explain-opt-in';
export * from './explain-workload';
export * from './find-references';
export * from './match-workload';
export * from './pod-template';
export { hasReloadPatterns, readReloaderOptIn } from './reloader-annotations';
export * from './rollout-annotations';
export * from './types';
export { formatTimestamp } from './build-patch';
export { formatApiPath } from './decision-cloud-event';
