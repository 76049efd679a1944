// A stand-in for the Jira host that runs a Forge Custom UI: the `__bridge` object @forge/bridge
// calls. `enableTheming` applies Atlassian's theme the way the host does (data-color-mode and
// data-theme on <html>, the theme's token CSS); `getContext` answers the module's context;
// `invoke` forwards invokeRemote to okrsync with a Forge Invocation Token and answers as Forge
// documents: a JSON answer resolves with {status, headers, body}; a 401, a non-JSON answer or an
// unreachable remote rejects
// (https://developer.atlassian.com/platform/forge/apis-reference/ui-api-bridge/invokeRemote/).
(() => {
  const stub = window.__OKRSYNC_STUB__;
  async function invoke(payload) {
    let response;
    try {
      response = await fetch(stub.remoteBaseUrl + payload.path, {
        method: payload.method,
        headers: { Authorization: `Bearer ${stub.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(payload.body || {}),
      });
    } catch (unreachable) {
      throw new Error('Invalid response from remote');
    }
    const type = response.headers.get('content-type') || '';
    if (response.status === 401 || !type.startsWith('application/json')) {
      throw new Error('Invalid response from remote');
    }
    return { success: true, payload: { status: response.status, headers: {}, body: await response.json() } };
  }
  function enableTheming() {
    const html = document.documentElement;
    html.setAttribute('data-theme', 'dark:dark light:light spacing:spacing typography:typography shape:shape');
    html.setAttribute('data-color-mode', stub.colorMode);
    const style = document.createElement('style');
    style.setAttribute('data-theme', stub.colorMode);
    style.textContent = stub.themeCss;
    document.head.append(style);
  }
  window.__bridge = {
    callBridge: async (name, payload) => {
      if (name === 'enableTheming') return enableTheming();
      if (name === 'getContext') return stub.context;
      if (name === 'invoke') return invoke(payload);
      throw new Error(`the stub bridge does not answer ${name}`);
    },
  };
})();
