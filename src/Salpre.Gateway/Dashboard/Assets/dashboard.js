// Salpre Gateway dashboard: what a server-rendered page cannot do by itself. Plain module, no framework; pages work
// without it (in UTC, without live updates). Blazor's enhanced navigation is not used: every link is a full page
// load, so this module simply runs once per page.

const main = document.querySelector('main[data-page]');

// The browser's zone is the default: written into the address (so it is kept, shared and sent to the server) by
// reloading once, when the address names none and the server knows the zone.
function defaultZone() {
  if (!main || main.dataset.zoneDefault !== 'true') return false;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const known = zone && [...document.querySelectorAll('select[data-zone-picker] option')].some((o) => o.value === zone);
  if (!known) return false;
  const url = new URL(location.href);
  url.searchParams.set('tz', zone);
  location.replace(url);
  return true;
}

// GET forms send their empty fields, which the API would refuse: leave them out of the address.
function cleanForms() {
  for (const form of document.querySelectorAll('form[method="get"]')) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const url = new URL(form.action, location.href);
      for (const [name, value] of new FormData(form)) {
        if (value !== '') url.searchParams.append(name, value);
      }
      location.assign(url);
    });
  }
}

function copyLinks() {
  for (const button of document.querySelectorAll('[data-copy-link]')) {
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(location.href);
        button.textContent = 'Link copied';
      } catch {
        button.textContent = 'Copy failed: use the address bar';
      }
    });
  }
}

async function fetchHtml(url) {
  const response = await fetch(url, { headers: { Accept: 'text/html' }, cache: 'no-store', credentials: 'same-origin' });
  if (response.redirected || response.status === 401) {
    location.reload(); // the session ended: the page leads to sign-in
    return null;
  }
  return response.ok ? response.text() : null;
}

// Regions marked data-live are swapped for their new version; a playing recording is left alone.
async function refreshRegions() {
  const html = await fetchHtml(location.href);
  if (html === null) return;
  const fresh = new DOMParser().parseFromString(html, 'text/html');
  for (const region of fresh.querySelectorAll('[data-live]')) {
    const current = document.querySelector(`[data-live="${region.dataset.live}"]`);
    if (!current || current.outerHTML === region.outerHTML) continue;
    const playing = [...current.querySelectorAll('audio')].some((audio) => !audio.paused);
    if (!playing) current.replaceWith(document.importNode(region, true));
  }
}

// The calls table: rows already shown are updated in place; new ones wait behind a button, so that nothing moves
// under the reader's pointer.
let pendingBody = null;
async function refreshRows() {
  const body = document.querySelector('tbody[data-rows]');
  if (!body) return;
  const html = await fetchHtml(`/dashboard/calls/rows${location.search}`);
  if (html === null) return;
  const template = document.createElement('template');
  template.innerHTML = `<table>${html}</table>`;
  const fresh = template.content.querySelector('tbody');
  if (!fresh) return;
  const shown = new Map([...body.querySelectorAll('tr[data-call-id]')].map((row) => [row.dataset.callId, row]));
  let added = 0;
  for (const row of fresh.querySelectorAll('tr[data-call-id]')) {
    const old = shown.get(row.dataset.callId);
    if (!old) added += 1;
    else if (old.outerHTML !== row.outerHTML) old.replaceWith(document.importNode(row, true));
  }
  const total = document.querySelector('[data-total-text]');
  if (total && fresh.dataset.total) total.textContent = Number(fresh.dataset.total).toLocaleString('en-US');
  const banner = document.querySelector('[data-new-calls]');
  if (!banner) return;
  if (added === 0 && shown.size > 0) return;
  pendingBody = fresh;
  const button = banner.querySelector('[data-show-new]');
  button.textContent = `${added} new call${added === 1 ? '' : 's'}: show`;
  banner.hidden = false;
  status(`${added} new call${added === 1 ? '' : 's'}`);
}

function showNewRows() {
  const button = document.querySelector('[data-show-new]');
  if (!button) return;
  button.addEventListener('click', () => {
    const body = document.querySelector('tbody[data-rows]');
    if (body && pendingBody) body.replaceWith(document.importNode(pendingBody, true));
    pendingBody = null;
    button.closest('[data-new-calls]').hidden = true;
  });
}

function status(text) {
  const line = document.querySelector('[data-live-status]');
  if (line) line.textContent = text;
}

// Live updates: one stream per tab. Each event names the account's calls version or boxes' fingerprint; the page
// acts only when it differs from what it drew.
function live() {
  if (!main || main.dataset.calls === undefined) return;
  const drawn = { calls: main.dataset.calls, devices: main.dataset.devices };
  const page = main.dataset.page;
  let timer = null;
  const later = (work, wait) => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; work(); }, wait);
  };
  const onChange = (kind) => {
    if (page === 'calls' && kind === 'calls') refreshRows();
    else if (page === 'call' && kind === 'calls') refreshRegions();
    else if (page === 'devices' && kind === 'devices') refreshRegions();
    else if (page === 'overview') later(refreshRegions, 5000);
  };
  const events = new EventSource('/dashboard/events');
  for (const kind of ['calls', 'devices']) {
    events.addEventListener(kind, (event) => {
      if (event.data === drawn[kind]) return;
      drawn[kind] = event.data;
      onChange(kind);
    });
  }
  events.addEventListener('signed-out', () => { events.close(); location.reload(); });
  window.addEventListener('pagehide', () => events.close());
}

if (!defaultZone()) {
  cleanForms();
  copyLinks();
  showNewRows();
  live();
}
