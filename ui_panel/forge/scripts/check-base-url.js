// Refuse to build the Forge app unless OKRSYNC_BASE_URL is the https address okrsync is reached
// at: the manifest's remote (`remotes[].baseUrl: ${OKRSYNC_BASE_URL}`) would otherwise point at a
// placeholder host, or send Forge Invocation Tokens over plain http. Forge Remote calls remotes
// over HTTPS only: https://developer.atlassian.com/platform/forge/remote/essentials/
'use strict';

function problem(value) {
  if (!value || !value.trim()) return 'OKRSYNC_BASE_URL is not set: set it to the https URL okrsync is reached at.';
  let url;
  try {
    url = new URL(value.trim());
  } catch (error) {
    return `OKRSYNC_BASE_URL is not a URL: ${value}`;
  }
  if (url.protocol !== 'https:') return `OKRSYNC_BASE_URL must use https://, not ${url.protocol}//`;
  if (url.username || url.password) return 'OKRSYNC_BASE_URL must not carry a user name or password.';
  if (url.search || url.hash) return 'OKRSYNC_BASE_URL must not carry a query or fragment.';
  if (/(^|\.)example\.(com|org|net)$/.test(url.hostname)) return `OKRSYNC_BASE_URL names a placeholder host: ${url.hostname}`;
  return null;
}

const refusal = problem(process.env.OKRSYNC_BASE_URL);
if (refusal) {
  console.error(`Not building the okrsync Forge app. ${refusal}`);
  process.exit(1);
}
console.log(`Forge remote: ${process.env.OKRSYNC_BASE_URL.trim()}`);
