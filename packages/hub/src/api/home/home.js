/* global document, location, fetch */
// The hub's landing page: log in (session cookie) and get a CLI token. Talks only to /api/v1.
const $ = (id) => document.getElementById(id);
const api = async (method, path, body) => {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok)
    throw Object.assign(new Error(json.detail || res.statusText), { status: res.status });
  return json;
};
const text = (el, s) => {
  el.textContent = s;
};

async function show() {
  let me;
  try {
    me = await api('GET', '/api/v1/whoami');
  } catch {
    $('login').hidden = false;
    return;
  }
  $('me').hidden = false;
  text(
    $('who'),
    `${me.name} — role ${me.role}, ${me.project ? `project ${me.project}` : 'all projects'}`,
  );
  const projects = await api('GET', '/api/v1/projects');
  const rows = await Promise.all(
    projects.items.map((p) => api('GET', `/api/v1/projects/${p.name}`)),
  );
  const table = $('summary');
  const head = table.insertRow();
  for (const h of ['project', 'workflows', 'agents', 'runs'])
    head.appendChild(Object.assign(document.createElement('th'), { textContent: h }));
  for (const p of rows) {
    const tr = table.insertRow();
    for (const v of [p.name, p.workflows, p.agents, p.runs])
      tr.insertCell().textContent = String(v);
  }
  if (me.role === 'admin') $('cli').hidden = false;
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await api('POST', '/api/v1/session', { token: $('token').value.trim() });
    location.reload();
  } catch (err) {
    text($('login-error'), err.message);
  }
});

$('create-token').addEventListener('click', async () => {
  try {
    const t = await api('POST', '/api/v1/tokens', {
      name: `cli-${new Date().toISOString().slice(0, 10)}`,
      role: 'admin',
      expiresIn: '30d',
    });
    const out = $('token-out');
    out.hidden = false;
    text(out, `export CC_URL=${location.origin}\nexport CC_TOKEN=${t.token}`);
  } catch (err) {
    text($('token-error'), err.message);
  }
});

void show();
