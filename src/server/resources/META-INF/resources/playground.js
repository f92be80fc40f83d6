// imagefn playground: generate through /v1/images/generations, stream partial images, edit with a painted mask.
// The model options come from /playground/models, the table the server validates with. A generation that is not
// streamed is sent as a job (Prefer: respond-async, wait=20): a quick one answers as usual, a long one becomes a
// job polled here, and the jobs of this API key are listed again after a reload.
'use strict';

const $ = (id) => document.getElementById(id);
let models = [];

async function init() {
  const info = await (await fetch('/playground/models')).json();
  models = info.models;
  $('emulator').hidden = !info.emulator;
  for (const m of models) $('model').add(new Option(m.name, m.name));
  $('model').value = models.some((m) => m.name === 'gpt-image-1') ? 'gpt-image-1' : models[0].name;
  $('key').value = localStorage.getItem('imagefn.key') || '';
  $('model').addEventListener('change', followModel);
  $('form').addEventListener('submit', (e) => { e.preventDefault(); generate(); });
  $('clear-mask').addEventListener('click', clearMask);
  $('close-edit').addEventListener('click', () => { $('editor').hidden = true; });
  $('apply-edit').addEventListener('click', applyEdit);
  $('key').addEventListener('change', showUsage);
  followModel();
  await listJobs();
  await showUsage();
  document.body.dataset.ready = 'true';
}

function model() { return models.find((m) => m.name === $('model').value); }

/** Offers only the sizes, qualities, counts and streaming the chosen model accepts. */
function followModel() {
  const m = model();
  fill($('size'), m.sizes, ['1024x1024', 'auto']);
  fill($('quality'), m.qualities, ['auto', 'standard']);
  $('n').max = m.maxN;
  if (Number($('n').value) > m.maxN) $('n').value = m.maxN;
  $('stream').disabled = !m.streaming;
  if (!m.streaming) $('stream').checked = false;
}

function fill(select, values, preferred) {
  select.replaceChildren(...values.map((v) => new Option(v, v)));
  select.value = preferred.find((p) => values.includes(p)) || values[0];
}

function headers(extra) {
  const h = { 'Content-Type': 'application/json', ...extra };
  const key = $('key').value.trim();
  if (key) { localStorage.setItem('imagefn.key', key); h.Authorization = 'Bearer ' + key; }
  return h;
}

function busy(on, text) {
  for (const b of document.querySelectorAll('button')) b.disabled = on;
  $('status').textContent = text || '';
  if (on) $('error').hidden = true;
}

function fail(message) {
  $('status').textContent = '';
  $('error').textContent = message;
  $('error').hidden = false;
}

async function generate() {
  const body = { prompt: $('prompt').value, model: $('model').value, size: $('size').value,
    quality: $('quality').value, n: Number($('n').value) };
  const streaming = $('stream').checked;
  if (streaming) { body.stream = true; body.partial_images = 2; }
  busy(true, streaming ? 'Streaming…' : 'Generating…');
  const started = performance.now();
  try {
    // a long generation outlives proxies: unless streamed, it is a job that answers at once after 20 s
    const prefer = streaming ? {} : { Prefer: 'respond-async, wait=20' };
    const response = await fetch('/v1/images/generations', { method: 'POST', headers: headers(prefer), body: JSON.stringify(body) });
    if (!response.ok) return fail(await errorText(response));
    if (response.status === 202) {
      const job = await response.json();
      $('status').textContent = 'Running as a job: it carries on if you leave; see Jobs below.';
      const done = await follow(job);
      if (done.status === 'completed') {
        $('status').textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s${show(done.result, body.model)}`;
      } else if (done.error) {
        fail(`Job ${done.status}: ${done.error.message}`);
      }
      return;
    }
    const cost = streaming ? await readStream(response, body.model) : show(await response.json(), body.model);
    $('status').textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s${cost}`;
    if (!streaming) await listJobs();
  } catch (e) {
    fail('Request failed: ' + e.message);
  } finally {
    for (const b of document.querySelectorAll('button')) b.disabled = false;
    await showUsage();
  }
}

/** What this key has left (GET /v1/usage), under the form; nothing where the key has no limits. */
async function showUsage() {
  const el = $('usage');
  try {
    const response = await fetch('/v1/usage', { headers: headers() });
    const u = response.ok ? await response.json() : {};
    const parts = [];
    if (u.budget) {
      const period = { day: 'today', month: 'this month', grant: 'of the grant' }[u.budget.period] || '';
      const held = Number(u.budget.reserved_usd) > 0 ? ` ($${u.budget.reserved_usd} held by requests running)` : '';
      parts.push(`$${u.budget.remaining_usd} of $${u.budget.usd} left ${period}${held}`);
    }
    if (u.images) parts.push(`${u.images.remaining} of ${u.images.limit} images left this minute`);
    if (u.requests) parts.push(`${u.requests.remaining} of ${u.requests.limit} requests left this minute`);
    if (u.models) parts.push(`models: ${u.models.join(', ')}`);
    el.textContent = parts.length ? `Key "${u.key}": ${parts.join(' · ')}` : '';
    el.hidden = parts.length === 0;
  } catch (e) {
    el.hidden = true;
  }
}

async function errorText(response) {
  try {
    const e = (await response.json()).error;
    return `${response.status}: ${e.message}${e.param ? ` (${e.param})` : ''}`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

/** Shows an ImagesResponse: each image from its signed URL, or inline when it could not be stored. */
function show(result, modelName) {
  result.data.forEach((d) => setImage(figure(), d, modelName, modelName));
  return costText(result.estimated_cost);
}

function costText(cost) {
  return cost ? ` · est. $${cost.usd}` : '';
}

function figure() {
  const fig = document.createElement('figure');
  fig.innerHTML = '<img alt="generated image"><figcaption></figcaption>';
  $('results').prepend(fig);
  return fig;
}

function setImage(fig, d, modelName, caption) {
  const img = fig.querySelector('img');
  fig.classList.remove('partial');
  img.className = 'result';
  // an item carries url or b64_json; an inline one has its stored copy's signed URL in stored_url
  const url = d.url || d.stored_url;
  img.src = url || `data:image/${d.output_format || 'png'};base64,${d.b64_json}`;
  const expires = d.expires_at ? ` · link valid until ${new Date(d.expires_at * 1000).toLocaleTimeString()}` : '';
  fig.querySelector('figcaption').textContent = url ? `${caption}${expires}` : `${caption} · not stored, shown inline`;
  if (d.id && model() && models.find((m) => m.name === modelName)?.jsonEdits) {
    img.title = 'Click to edit';
    img.onclick = () => openEditor(d.id, img.src, modelName);
  }
}

/** Reads server-sent events: partial images appear blurred, then each is replaced by its stored result. */
async function readStream(response, modelName) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let current = null; // the figure of the image being streamed; events carry no image index
  let usd = 0;
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (!data) continue;
      const event = JSON.parse(data);
      if (event.error) { fail(event.error.message); continue; }
      const fig = current || (current = figure());
      if (event.type.endsWith('.partial_image')) {
        fig.classList.add('partial');
        fig.querySelector('img').className = 'partial';
        fig.querySelector('img').src = `data:image/${event.output_format || 'png'};base64,${event.b64_json}`;
        fig.querySelector('figcaption').textContent = `partial image ${event.partial_image_index + 1}`;
        $('status').textContent = 'Receiving partial images…';
      } else if (event.type.endsWith('.completed')) {
        setImage(fig, event, modelName, modelName);
        usd += event.estimated_cost ? Number(event.estimated_cost.usd) : 0;
        current = null;
      }
    }
  }
  return usd ? costText({ usd: usd.toFixed(6) }) : '';
}

// --- jobs: listed per API key (newest first), polled until they finish

const STATUS_TEXT = { queued: 'queued', in_progress: 'in progress', completed: 'done', failed: 'failed',
  cancelled: 'cancelled', expired: 'expired' };

async function listJobs() {
  try {
    const response = await fetch('/v1/images/jobs?limit=10', { headers: headers() });
    if (!response.ok) return; // e.g. no key yet where keys are required
    const page = await response.json();
    $('job-list').replaceChildren(...page.data.map(jobItem));
    $('jobs').hidden = page.data.length === 0;
    page.data.filter((j) => j.status === 'queued' || j.status === 'in_progress').forEach((j) => follow(j));
  } catch (e) {
    console.warn('jobs not listed', e);
  }
}

function jobItem(job) {
  const li = document.createElement('li');
  li.id = job.id;
  renderJob(li, job);
  return li;
}

function renderJob(li, job) {
  li.dataset.status = job.status;
  const when = new Date(job.created_at * 1000).toLocaleTimeString();
  const text = document.createElement('span');
  text.textContent = `${when} · ${job.operation} · ${job.model} · ${STATUS_TEXT[job.status] || job.status}`
    + (job.error ? `: ${job.error.message}` : '');
  li.replaceChildren(text);
  if (job.status === 'completed' && job.result) {
    for (const d of job.result.data) {
      const img = document.createElement('img');
      img.className = 'job-image';
      img.alt = 'job result';
      img.src = d.url;
      li.append(img);
    }
  }
}

/** Polls a job until it finishes, keeping its line in the list current; the finished job. */
async function follow(job) {
  $('jobs').hidden = false;
  let li = document.getElementById(job.id);
  if (!li) { li = jobItem(job); $('job-list').prepend(li); }
  while (job.status === 'queued' || job.status === 'in_progress') {
    await new Promise((r) => setTimeout(r, 2000));
    const response = await fetch(job.urls.get, { headers: headers() });
    if (!response.ok) break;
    job = await response.json();
    renderJob(li, job);
  }
  await showUsage();
  return job;
}

// --- editing: the mask is transparent where the picture should change (what the Images API expects)

let editing = null;
let maskCanvas = null;

function openEditor(id, src, modelName) {
  editing = { id, model: modelName };
  const img = $('edit-image');
  img.onload = () => {
    const view = $('mask');
    view.width = img.naturalWidth;
    view.height = img.naturalHeight;
    maskCanvas = document.createElement('canvas');
    maskCanvas.width = img.naturalWidth;
    maskCanvas.height = img.naturalHeight;
    clearMask();
  };
  img.src = src;
  $('edit-prompt').value = $('prompt').value;
  $('editor').hidden = false;
  $('editor').scrollIntoView({ behavior: 'smooth' });
}

function clearMask() {
  if (!maskCanvas) return;
  const m = maskCanvas.getContext('2d');
  m.globalCompositeOperation = 'source-over';
  m.fillStyle = '#000';
  m.fillRect(0, 0, maskCanvas.width, maskCanvas.height);
  $('mask').getContext('2d').clearRect(0, 0, maskCanvas.width, maskCanvas.height);
}

function paint(e) {
  const view = $('mask');
  const rect = view.getBoundingClientRect();
  const x = (e.clientX - rect.left) * (view.width / rect.width);
  const y = (e.clientY - rect.top) * (view.height / rect.height);
  const r = Number($('brush').value) * (view.width / rect.width) / 2;
  const v = view.getContext('2d');
  v.fillStyle = '#e5383b';
  v.beginPath(); v.arc(x, y, r, 0, Math.PI * 2); v.fill();
  const m = maskCanvas.getContext('2d');
  m.globalCompositeOperation = 'destination-out';
  m.beginPath(); m.arc(x, y, r, 0, Math.PI * 2); m.fill();
}

$('mask').addEventListener('pointerdown', (e) => { $('mask').setPointerCapture(e.pointerId); paint(e); });
$('mask').addEventListener('pointermove', (e) => { if (e.buttons) paint(e); });

async function applyEdit() {
  const body = { model: editing.model, prompt: $('edit-prompt').value, images: [{ file_id: editing.id }],
    mask: { image_url: maskCanvas.toDataURL('image/png') } };
  busy(true, 'Editing…');
  try {
    const response = await fetch('/v1/images/edits', { method: 'POST', headers: headers(), body: JSON.stringify(body) });
    if (!response.ok) return fail(await errorText(response));
    $('status').textContent = 'Edited' + show(await response.json(), editing.model);
  } catch (e) {
    fail('Edit failed: ' + e.message);
  } finally {
    for (const b of document.querySelectorAll('button')) b.disabled = false;
    await showUsage();
  }
}

init().catch((e) => fail('Could not load the model list: ' + e.message));
