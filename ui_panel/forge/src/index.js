// okrsync's Custom UI for Jira: asks okrsync (Forge Remote, the call carries a Forge Invocation
// Token) for the key results of this issue or the OKR tree of this project, and draws them.
import { invokeRemote, view } from '@forge/bridge';

const STATUS_TEXT = { on_track: 'On track', at_risk: 'At risk', off_track: 'Off track' };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // text only: okrsync data is never HTML here
  return node;
}

function keyResultItem(kr) {
  const item = element('li', `kr status-${kr.status}`);
  const head = element('div', 'row-head');
  head.append(element('span', 'kr-title', kr.title),
    element('span', `status status-${kr.status}`, STATUS_TEXT[kr.status] || kr.status));
  const bar = element('progress', `bar status-${kr.status}`);
  bar.max = 1;
  bar.value = Math.max(0, Math.min(1, kr.progress || 0));
  bar.setAttribute('aria-label', `${kr.progress_text} complete`);
  const confidence = kr.confidence === null ? '' : ` · confidence ${kr.confidence}/10`;
  item.append(head, bar, element('p', 'muted', `${kr.progress_text} · ${kr.objective}${confidence}`));
  return item;
}

function objectiveItem(objective) {
  const item = element('li', 'objective');
  item.append(element('h3', 'objective-title', `${objective.title} (${objective.progress_text})`));
  const krs = element('ul', 'krs');
  objective.key_results.forEach((kr) => krs.append(keyResultItem(kr)));
  const children = element('ul', 'objectives');
  objective.children.forEach((child) => children.append(objectiveItem(child)));
  item.append(krs, children);
  return item;
}

function render(root, data, isIssue) {
  root.replaceChildren();
  if (isIssue) {
    if (!data.key_results.length) {
      root.append(element('p', 'empty', data.synced ? 'This issue counts toward no key result you can see.'
        : 'okrsync has not synced this issue yet.'));
      return;
    }
    const list = element('ul', 'krs');
    data.key_results.forEach((kr) => list.append(keyResultItem(kr)));
    root.append(list);
    return;
  }
  root.append(element('h2', 'panel-title', data.cycle ? `OKRs, ${data.cycle}` : 'OKRs'));
  if (!data.objectives.length) root.append(element('p', 'empty', 'No OKRs for this project.'));
  const list = element('ul', 'objectives');
  data.objectives.forEach((objective) => list.append(objectiveItem(objective)));
  root.append(list);
}

async function main() {
  const root = document.getElementById('root');
  const context = await view.getContext();
  const extension = context.extension || {};
  const isIssue = Boolean(extension.issue);
  const request = isIssue
    ? { path: '/panel/forge/issue', body: { issueKey: extension.issue.key } }
    : { path: '/panel/forge/project', body: { projectKey: extension.project && extension.project.key } };
  const response = await invokeRemote({ ...request, method: 'POST' });
  if (response.status !== 200) {
    const message = response.status === 403
      ? 'Your Atlassian account is not linked to an okrsync user yet.'
      : `okrsync answered ${response.status}.`;
    root.replaceChildren(element('p', 'empty', message));
    return;
  }
  render(root, response.body, isIssue);
}

main().catch((error) => {
  document.getElementById('root').replaceChildren(element('p', 'empty', `okrsync is unreachable: ${error.message}`));
});
