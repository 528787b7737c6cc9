/**
 * The agents shipped with the hub (SPEC §4): their manifests, registered in every project, and
 * the in-process actions of the `builtin` ones. `code-reviewer` is an `llm` agent: the llm
 * transport runs it, with the provider from the project's secrets.
 */
import { BuiltinRegistry } from '../executors/builtin.js';
import { manifest as codeReviewer } from './code-reviewer/manifest.js';
import { createComplianceCheckerActions } from './compliance-checker/actions.js';
import { manifest as complianceChecker } from './compliance-checker/manifest.js';
import { createHttpActions } from './http/actions.js';
import { manifest as http } from './http/manifest.js';
import { createNotifierActions, manifest as notifier } from './notifier/index.js';
import { createPatcherActions } from './patcher/actions.js';
import { manifest as patcher } from './patcher/manifest.js';
import { createSecurityScannerActions } from './security-scanner/actions.js';
import { manifest as securityScanner } from './security-scanner/manifest.js';

/** Hub settings the shipped agents need. */
export interface ShippedAgentOptions {
  /** Directories the scanners may read and patcher may write in (`CC_WORKSPACE_ROOTS`). */
  workspaceRoots: readonly string[];
}

/** Manifests of every shipped agent, as documents `Catalog.registerAgent` accepts. */
export const shippedManifests: readonly unknown[] = [
  notifier,
  http,
  securityScanner,
  complianceChecker,
  patcher,
  codeReviewer,
];

/** Adds the actions of the shipped `builtin` agents to `registry` (a new one by default). */
export function registerShippedActions(
  opts: ShippedAgentOptions,
  registry = new BuiltinRegistry(),
): BuiltinRegistry {
  const roots = { workspaceRoots: opts.workspaceRoots };
  return registry
    .register('notifier', createNotifierActions())
    .register('http', createHttpActions())
    .register('security-scanner', createSecurityScannerActions(roots))
    .register('compliance-checker', createComplianceCheckerActions(roots))
    .register('patcher', createPatcherActions(roots));
}
