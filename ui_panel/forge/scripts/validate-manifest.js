// Validate manifest.yml with Atlassian's own @forge/manifest: the full validation the Forge CLI
// runs before `forge deploy` (schema, modules, resources on disk, remotes, permissions).
// Usage: node scripts/validate-manifest.js [manifest.yml]  -> prints JSON, exits 1 on errors.
'use strict';
const { validate } = require('@forge/manifest');

async function main(file) {
  const result = await validate(false, file);
  const errors = (result.errors || []).map((e) => ({ message: e.message, level: e.level, line: e.line }));
  const blocking = errors.filter((e) => e.level !== 'warning');
  const content = (result.manifestObject && result.manifestObject.yamlContent) || {};
  const ok = result.success && blocking.length === 0;
  console.log(JSON.stringify({ success: ok, modules: Object.keys(content.modules || {}), errors }, null, 1));
  process.exit(ok ? 0 : 1);
}

main(process.argv[2] || 'manifest.yml').catch((error) => {
  console.error(error);
  process.exit(2);
});
