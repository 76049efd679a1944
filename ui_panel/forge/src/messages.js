// What the panel says for each answer okrsync (or Forge) gives, in the product guide's words.
// okrsync answers every call with JSON; a refusal is {"error": {"code", "message"}} with a
// non-2xx status, which invokeRemote resolves with `status` and `body`. It rejects only a 401
// (kept for a token that fails validation) or when okrsync cannot be reached at all:
// https://developer.atlassian.com/platform/forge/apis-reference/ui-api-bridge/invokeRemote/
export const MESSAGES = {
  not_linked: {
    title: 'Your Atlassian account is not linked to okrsync yet',
    detail: 'Ask an okrsync admin to add your Jira account to your okrsync user. Then reload this page.',
  },
  site_not_connected: {
    title: 'This Jira site is not connected to okrsync',
    detail: 'An okrsync admin can connect it: add the site as a Jira connection and test it.',
  },
  environment_not_allowed: {
    title: 'This copy of the app does not show live OKRs',
    detail: 'Development and staging installs of okrsync for Jira see no production data.',
  },
  license_inactive: {
    title: 'The okrsync app licence on this site is not active',
    detail: 'A Jira admin can renew it under Apps > Manage apps.',
  },
  no_principal: {
    title: 'Sign in to Jira to see OKRs',
    detail: 'okrsync shows OKRs only to a signed-in Jira user.',
  },
  forge_not_configured: {
    title: 'okrsync is not set up for this Jira app yet',
    detail: 'An okrsync admin needs to set the app id (OKRSYNC_FORGE_APP_ID).',
  },
  unreachable: {
    title: 'okrsync is not answering right now',
    detail: 'Your OKRs are safe. Try again in a few minutes; if this persists, tell your okrsync admin.',
  },
  no_key_results: {
    title: 'No OKRs for this issue',
    detail: 'This issue does not count toward any key result you can see.',
  },
  not_synced: {
    title: 'No OKRs for this issue yet',
    detail: 'okrsync has not synced this issue. It appears here after the next sync.',
  },
  not_approved: {
    title: 'This check-in was not approved',
    detail: 'Open it in okrsync to review it and approve it there.',
  },
  no_objectives: {
    title: 'No OKRs for this project',
    detail: 'No okrsync team has this project as its home in the current cycle.',
  },
};

// The message for a refusal: known codes in our words, anything else in okrsync's words under
// `title` (what did not happen).
export function refusalMessage(status, body, title = 'okrsync could not show OKRs here') {
  const error = body && body.error;
  if (error && MESSAGES[error.code]) return MESSAGES[error.code];
  if (status >= 500 || !error) return MESSAGES.unreachable;
  const said = error.message ? `${error.message[0].toUpperCase()}${error.message.slice(1)}.` : '';
  return { title, detail: said || `It answered ${status}.` };
}
