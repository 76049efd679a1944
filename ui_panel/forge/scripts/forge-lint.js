// The Forge CLI's own linters (what `forge lint` runs client-side), without an Atlassian login:
// `forge lint` itself first looks up the signed-in user and the default environment online
// (https://developer.atlassian.com/platform/forge/cli-reference/lint/), which CI cannot do.
// Feature flags (Statsig) are unreachable offline: every flag answers "unknown", so each linter
// uses its built-in default (for example no extra deprecated runtimes). One linter is left out:
// PermissionLinter downloads Atlassian's product OpenAPI specs to match `requestJira` calls to
// scopes; this app calls no Atlassian API (permissions.scopes is []), so it has nothing to check.
// Usage: node scripts/forge-lint.js   -> the CLI's report; exits 1 on any lint error.
'use strict';
const {
  PermissionLinter, getClientSideLintersOnly, lint, problemCount, reportLintResults,
} = require('@forge/lint');
const { FileSystemReader, StatsigReader } = require('@forge/cli-shared');
const { validate } = require('@forge/manifest');

class OfflineFlags extends StatsigReader {
  async checkGate() {
    return undefined;
  }

  async getDynamicConfig() {
    return undefined;
  }
}

async function main() {
  const checked = await validate(false, 'manifest.yml'); // reads ${OKRSYNC_BASE_URL} like deploy
  const manifest = checked.manifestObject && checked.manifestObject.yamlContent;
  if (!manifest) {
    console.error((checked.errors || []).map((e) => e.message).join('\n') || 'manifest.yml unreadable');
    process.exit(2);
  }
  const files = await new FileSystemReader().recursiveReadDir('./src', ['node_modules', '.git']);
  const logger = { info: (message) => console.log(message) };
  const flags = new OfflineFlags();
  const linters = (await getClientSideLintersOnly(manifest, 'production', logger, flags))
    .filter((linter) => !(linter instanceof PermissionLinter));
  const results = await lint(files, manifest, 'production', logger, flags,
    { linter: { mode: 'client-side' }, linters });
  reportLintResults(logger, results);
  const { errors, warnings } = problemCount(results);
  console.log(JSON.stringify({ files: files.length, linters: linters.map((l) => l.constructor.name),
    errors, warnings }));
  process.exit(errors ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
