// Whether lab tests may run here: they need root and the Debian packages. They skip only for a non-root
// developer outside CI; in CI, or as root with packages missing, they fail loudly instead of skipping.
import { missingPackages } from '../../engine/lab/prereqs.js';

/** True: run the lab tests. False: skip (non-root, not CI). Throws when a skip would hide a broken set-up. */
export function labAvailable(): boolean {
  const root = process.getuid?.() === 0;
  if (!root) {
    if (process.env.CI) throw new Error('lab tests need root, and CI must run them: run `npm test` as root');
    return false;
  }
  const missing = missingPackages();
  if (missing.length) throw new Error(`lab tests need Debian packages that are missing: ${missing.join(' ')}; run \`bash scripts/install-system-deps.sh\` as root (npm test does)`);
  return true;
}
