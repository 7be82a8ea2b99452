// A stand-in for the Azure DevOps page that hosts an extension's iframe (there is no public host
// emulator): it answers the extension SDK's XDM calls over postMessage (the handshake, getService,
// getAccessToken and the proxied service methods) the way the service does, for one run.
// The query string picks the run (build=N) and the theme (theme=light|dark).
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const buildId = Number(params.get('build') || '1');
  const theme = params.get('theme') === 'dark' ? 'dark' : 'light';
  const THEMES = {
    light: {
      'background-color': 'rgba(255, 255, 255, 1)',
      'text-primary-color': 'rgba(0, 0, 0, .9)',
      'text-secondary-color': 'rgba(0, 0, 0, .72)',
      'communication-foreground': 'rgba(0, 90, 158, 1)',
      'palette-black-alpha-10': 'rgba(0, 0, 0, .1)',
      'palette-black-alpha-20': 'rgba(0, 0, 0, .2)',
      'palette-black-alpha-30': 'rgba(0, 0, 0, .3)',
      'status-success-foreground': 'rgba(16, 124, 16, 1)',
      'status-error-foreground': 'rgba(164, 38, 44, 1)',
    },
    dark: {
      'background-color': 'rgba(30, 30, 30, 1)',
      'text-primary-color': 'rgba(255, 255, 255, .9)',
      'text-secondary-color': 'rgba(255, 255, 255, .72)',
      'communication-foreground': 'rgba(113, 175, 229, 1)',
      'palette-black-alpha-10': 'rgba(255, 255, 255, .12)',
      'palette-black-alpha-20': 'rgba(255, 255, 255, .24)',
      'palette-black-alpha-30': 'rgba(255, 255, 255, .36)',
      'status-success-foreground': 'rgba(84, 176, 84, 1)',
      'status-error-foreground': 'rgba(241, 112, 123, 1)',
    },
  };
  const root = location.origin + '/tfs/';
  // Each service method is handed to the iframe as a proxy function, called back by its id.
  const proxies = {};
  let nextProxy = 1;
  function proxied(service) {
    const out = {};
    for (const [name, fn] of Object.entries(service)) {
      const id = nextProxy++;
      proxies['proxy' + id] = fn;
      out[name] = { __proxyFunctionId: id };
    }
    return out;
  }
  const services = {
    'ms.vss-features.location-service': { getResourceAreaLocation: () => root, getServiceLocation: () => root },
    'ms.vss-build-web.build-page-data-service': {
      getBuildPageData: () => ({ build: { id: buildId, buildNumber: '20261129.' + buildId }, definition: { id: 7, name: 'shop' } }),
    },
    'ms.vss-tfs-web.tfs-page-data-service': { getProject: () => ({ id: '6c2b7a52-1d7e-4c3a-9f4e-0a1b2c3d4e5f', name: 'Shop' }) },
  };
  const objects = {
    'DevOps.HostControl': {
      initialHandshake: () => ({
        contributionId: 'outerloop.outerloop.outerloop-tab',
        context: {
          extension: { publisherId: 'outerloop', extensionId: 'outerloop', version: '1.0.0' },
          user: { id: 'u1', name: 'release-manager', displayName: 'Release Manager', descriptor: 'u1', imageUrl: '' },
          host: { id: 'h1', name: 'contoso', serviceVersion: 'test', type: 4 },
        },
        initialConfig: {},
        themeData: THEMES[theme],
      }),
      getAccessToken: () => ({ token: 'test-host-token' }),
      notifyLoadSucceeded: () => {
        window.__tabLoaded = true;
        return null;
      },
      notifyLoadFailed: (e) => {
        window.__tabFailed = String((e && e.message) || e);
        return null;
      },
      resize: () => null,
    },
    'DevOps.ServiceManager': {
      getService: (id) => {
        if (!services[id]) throw new Error('No service ' + id + ' on this test host.');
        return proxied(services[id]);
      },
    },
    __proxyFunctions: proxies,
  };
  const frame = document.getElementById('tab');
  window.__calls = [];
  window.addEventListener('message', (event) => {
    if (event.source !== frame.contentWindow || typeof event.data !== 'string') return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!message.instanceId) return;
    window.__calls.push(message.instanceId + '.' + message.methodName);
    const reply = (body) =>
      frame.contentWindow.postMessage(JSON.stringify({ id: message.id, handshakeToken: message.handshakeToken, ...body }), '*');
    const target = objects[message.instanceId];
    const method = target && target[message.methodName];
    if (typeof method !== 'function') {
      reply({ error: { message: 'No method ' + message.instanceId + '.' + message.methodName } });
      return;
    }
    Promise.resolve()
      .then(() => method(...(message.params || [])))
      .then(
        (result) => reply({ result: result === undefined ? null : result }),
        (err) => reply({ error: { message: String((err && err.message) || err) } }),
      );
  });
})();
