// The real tier's control plane for this workspace's run (skipped with one line when not configured).
export { default } from '@reroll/envtest/global-setup';
