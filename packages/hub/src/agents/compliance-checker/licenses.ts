/** Checks the licenses of a project and its dependencies against the policy's lists. */
import type { Violation } from './manifest.js';
import type { PackageLicense, ProjectPackages } from './packages.js';
import type { LicensePolicy } from './policy-schema.js';
import { judgeLicense, licenseIds, parseLicenseExpression, type LicenseVerdict } from './spdx.js';

/** What the license check found. */
export interface LicenseCheck {
  violations: Violation[];
  warnings: Violation[];
  /** Distinct packages checked (the project included). */
  checked: number;
}

/** Judges every package once (`name@version`), skipping ignored and, if asked, dev packages. */
export function checkLicenses(policy: LicensePolicy, found: ProjectPackages): LicenseCheck {
  const result: LicenseCheck = { violations: [], warnings: [], checked: 0 };
  const ignored = new Set(policy.ignorePackages ?? []);
  const seen = new Set<string>();
  const own = found.project;
  // A private project without a license (or UNLICENSED) is not distributed: nothing to check.
  if (own && !(own.private && (own.license === undefined || own.license === 'UNLICENSED'))) {
    judge(own, true, policy, result);
  }
  for (const pkg of found.dependencies) {
    const key = `${pkg.name}@${pkg.version ?? ''}`;
    if (seen.has(key) || ignored.has(pkg.name)) continue;
    if (pkg.dev && policy.includeDev === false) continue;
    seen.add(key);
    judge(pkg, false, policy, result);
  }
  return result;
}

function judge(pkg: PackageLicense, own: boolean, policy: LicensePolicy, out: LicenseCheck): void {
  out.checked++;
  const label = `${pkg.name}${pkg.version ? `@${pkg.version}` : ''}`;
  const who = own ? `The project's own license` : `${label}'s license`;
  const expr = pkg.license === undefined ? null : parseLicenseExpression(pkg.license);
  const verdict: LicenseVerdict = expr === null ? 'unknown' : judgeLicense(expr, policy);
  if (verdict === 'allowed') return;
  const base = { file: pkg.file, package: label, ...(pkg.license ? { license: pkg.license } : {}) };
  if (verdict === 'unknown') {
    const what =
      pkg.license === undefined ? 'is not declared' : `"${pkg.license}" is not an SPDX expression`;
    const entry: Violation = {
      rule: 'license.unknown',
      severity: 'medium',
      ...base,
      message: `${who} ${what}: check the package's LICENSE file, then add its SPDX id to licenses.allow or the package to licenses.ignorePackages.`,
    };
    (policy.unknown === 'fail' ? out.violations : out.warnings).push(entry);
    return;
  }
  const ids = expr ? licenseIds(expr).join(', ') : '';
  if (verdict === 'denied') {
    out.violations.push({
      rule: 'license.denied',
      severity: 'high',
      ...base,
      message: `${who} "${pkg.license}" is denied by the policy (licenses.deny): ${own ? 'relicense the project or change the policy' : 'replace or remove the dependency'}.`,
    });
    return;
  }
  out.violations.push({
    rule: 'license.not-allowed',
    severity: 'high',
    ...base,
    message: `${who} "${pkg.license}" is not in the allow list (${ids} not among ${policy.allow.join(', ') || 'none'}): ${own ? 'add it to licenses.allow if it is acceptable' : 'replace the dependency, or have it approved and add its license to licenses.allow (or the package to licenses.ignorePackages)'}.`,
  });
}
