// okrsync's Custom UI for Jira: asks okrsync (Forge Remote, the call carries a Forge Invocation
// Token) for the key results an issue moves or the OKR tree of a project, and draws them with
// Atlassian design tokens so it follows Jira's light and dark themes.
import { invokeRemote, router, view } from '@forge/bridge';
import { MESSAGES, refusalMessage } from './messages';

const STATUS_TEXT = { on_track: 'On track', at_risk: 'At risk', off_track: 'Off track' };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // text only: okrsync data is never HTML here
  return node;
}

function notice(message, kind) {
  const box = element('section', `notice notice-${kind}`);
  box.setAttribute('role', kind === 'empty' ? 'status' : 'alert');
  box.append(element('p', 'notice-title', message.title), element('p', 'notice-detail', message.detail));
  return box;
}

function progressBar(kr) {
  const track = element('div', 'bar');
  track.setAttribute('role', 'progressbar');
  track.setAttribute('aria-valuemin', '0');
  track.setAttribute('aria-valuemax', '100');
  const share = Math.max(0, Math.min(1, kr.progress || 0));
  track.setAttribute('aria-valuenow', String(Math.round(share * 100)));
  track.setAttribute('aria-label', `${kr.title}: ${kr.progress_text} complete`);
  const fill = element('div', `bar-fill status-${kr.status}`);
  fill.style.width = `${share * 100}%`;
  track.append(fill);
  return track;
}

function values(kr) {
  return kr.values_text ? ` · ${kr.values_text}` : '';
}

function ownerText(kr) {
  if (kr.yours) return ' · you own it';
  return kr.owner ? ` · owner ${kr.owner}` : '';
}

// The caller's drafted weekly check-in: approved here as drafted, or reviewed and edited in
// okrsync itself. okrsync checks the call's Forge Invocation Token and that the draft is theirs.
function draftLink(draft) {
  const link = element('a', 'draft-link', 'Review or edit it in okrsync');
  link.href = draft.url;
  link.addEventListener('click', (event) => {
    event.preventDefault();
    router.open(draft.url);
  });
  return link;
}

async function approve(draft, box, button) {
  button.disabled = true;
  box.querySelectorAll('.notice').forEach((old) => old.remove());
  let response;
  try {
    response = await invokeRemote({ path: `/panel/forge/check-in-drafts/${draft.id}/approve`, body: {}, method: 'POST' });
  } catch (unreachable) {
    response = null;
  }
  const status = response && response.status;
  if (status === 201 && response.body && !response.body.error) {
    const done = element('p', 'draft-approved', response.body.message);
    done.setAttribute('role', 'status');
    box.replaceChildren(done);
    return;
  }
  button.disabled = false;
  box.append(notice(response ? refusalMessage(status, response.body, MESSAGES.not_approved.title)
    : MESSAGES.unreachable, 'error'));
}

function draftActions(draft) {
  const box = element('div', 'draft');
  box.append(element('p', 'draft-lead', 'Your weekly check-in is drafted.'));
  const button = element('button', 'draft-approve', 'Approve drafted check-in');
  button.type = 'button';
  button.addEventListener('click', () => approve(draft, box, button));
  box.append(button, draftLink(draft));
  return box;
}

function keyResultItem(kr, showObjective) {
  const item = element('li', kr.yours ? 'kr kr-yours' : 'kr');
  const head = element('div', 'row-head');
  head.append(element('span', 'kr-title', kr.title),
    element('span', `lozenge status-${kr.status}`, STATUS_TEXT[kr.status] || kr.status_text || kr.status));
  const confidence = kr.confidence === null ? '' : ` · confidence ${kr.confidence}/10`;
  const objective = showObjective ? ` · ${kr.objective}` : '';
  item.append(head, progressBar(kr),
    element('p', 'muted', `${kr.progress_text} complete${values(kr)}${confidence}${ownerText(kr)}${objective}`));
  if (kr.check_in_draft) item.append(draftActions(kr.check_in_draft));
  return item;
}

function objectiveItem(objective) {
  const item = element('li', 'objective');
  item.append(element('h3', 'objective-title', `${objective.title} (${objective.progress_text})`));
  const krs = element('ul', 'krs');
  objective.key_results.forEach((kr) => krs.append(keyResultItem(kr, false)));
  const children = element('ul', 'objectives');
  objective.children.forEach((child) => children.append(objectiveItem(child)));
  item.append(krs, children);
  return item;
}

function renderIssue(root, data) {
  if (!data.key_results.length) {
    root.append(notice(data.synced ? MESSAGES.no_key_results : MESSAGES.not_synced, 'empty'));
    return;
  }
  const count = data.key_results.length;
  root.append(element('p', 'lead', `${data.issue} moves ${count} key result${count === 1 ? '' : 's'}:`));
  const list = element('ul', 'krs');
  data.key_results.forEach((kr) => list.append(keyResultItem(kr, true)));
  root.append(list);
}

function renderProject(root, data) {
  // Jira already shows the page title ("OKRs") above the app: only the cycle is said here.
  if (data.cycle) root.append(element('p', 'lead', `Cycle: ${data.cycle}`));
  if (!data.objectives.length) {
    root.append(notice(MESSAGES.no_objectives, 'empty'));
    return;
  }
  const list = element('ul', 'objectives');
  data.objectives.forEach((objective) => list.append(objectiveItem(objective)));
  root.append(list);
}

function requestFor(context) {
  const extension = context.extension || {};
  if (extension.issue) return { isIssue: true, path: '/panel/forge/issue', body: { issueKey: extension.issue.key } };
  return { isIssue: false, path: '/panel/forge/project', body: { projectKey: extension.project && extension.project.key } };
}

async function main() {
  await view.theme.enable(); // before the first render, so the tokens are there
  const root = document.getElementById('root');
  const { isIssue, path, body } = requestFor(await view.getContext());
  let response;
  try {
    response = await invokeRemote({ path, body, method: 'POST' });
  } catch (unreachable) {
    root.replaceChildren(notice(MESSAGES.unreachable, 'error'));
    return;
  }
  const status = response && response.status;
  root.replaceChildren();
  if (!response || status < 200 || status >= 300 || !response.body || response.body.error) {
    root.append(notice(refusalMessage(status, response && response.body), 'error'));
  } else if (isIssue) {
    renderIssue(root, response.body);
  } else {
    renderProject(root, response.body);
  }
}

main().catch(() => {
  document.getElementById('root').replaceChildren(notice(MESSAGES.unreachable, 'error'));
});
