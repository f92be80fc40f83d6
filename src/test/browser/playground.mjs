// Drives the playground page the way a first-time user would, in a real headless Chromium:
// generate, stream partial images, and edit with a painted mask. Usage: node playground.mjs <base-url>
// Exits non-zero with the reason when any step fails.
import { chromium } from 'playwright-core';

const base = process.argv[2];
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  headless: true,
  // this machine's network is closed: keep Chromium from reaching for Google's services
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const problems = [];
let expectingError = false;
const step = (name) => console.log(`step: ${name}`);

try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // failed loads are reported by status below, where the one expected failure can be told apart
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !expectingError) problems.push(`${r.status()} for ${r.request().method()} ${r.url()}`);
  });
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready=true]', { timeout: 15000 });

  step('the controls follow the per-model rules');
  await page.selectOption('#model', 'dall-e-3');
  const dallE3 = await page.evaluate(() => ({
    max: document.getElementById('n').max,
    sizes: [...document.getElementById('size').options].map((o) => o.value),
    stream: document.getElementById('stream').disabled,
  }));
  expect(dallE3.max === '1', `dall-e-3 allows n up to 1, page says ${dallE3.max}`);
  expect(dallE3.sizes.includes('1792x1024') && !dallE3.sizes.includes('256x256'), `dall-e-3 sizes: ${dallE3.sizes}`);
  expect(dallE3.stream, 'streaming is offered for dall-e-3, which cannot stream');

  step('generate two images and see them load from their signed URLs');
  await page.selectOption('#model', 'gpt-image-1');
  await page.fill('#prompt', 'a lighthouse on a cliff at dawn');
  await page.fill('#n', '2');
  await page.click('#generate');
  await waitForImages(page, 2);
  const srcs = await page.$$eval('img.result', (imgs) => imgs.map((i) => i.src));
  expect(srcs.every((s) => s.includes('X-Amz-Signature=')), `images not from signed URLs: ${srcs}`);
  const status = await page.textContent('#status');
  expect(/est\. \$/.test(status), `no cost shown in "${status}"`);

  step('the generation was a job: after a reload this key\'s jobs are listed, done, with their images');
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('body[data-ready=true]', { timeout: 15000 });
  await page.waitForFunction(() => {
    const done = document.querySelector('#job-list li[data-status=completed]');
    const imgs = done ? [...done.querySelectorAll('img.job-image')] : [];
    return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, null, { timeout: 15000 });
  const jobText = await page.textContent('#job-list li[data-status=completed]');
  expect(/done/.test(jobText), `job line: ${jobText}`);
  await page.selectOption('#model', 'gpt-image-1');
  await page.fill('#prompt', 'a lighthouse on a cliff at dawn');

  step('stream: partial images appear before the final one');
  await page.fill('#n', '1');
  await page.check('#stream');
  const sawPartial = page.waitForSelector('figure.partial img[src^="data:image/"]', { timeout: 20000 });
  await page.click('#generate');
  await sawPartial;
  await waitForImages(page, 1);

  step('edit: click an image, paint a mask, apply');
  await page.click('img.result');
  await page.waitForSelector('#editor:not([hidden])');
  await page.waitForFunction(() => document.getElementById('mask').width > 0);
  const box = await page.locator('#mask').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 8 });
  await page.mouse.up();
  await page.fill('#edit-prompt', 'add a red kite in the sky');
  await page.click('#apply-edit');
  await waitForImages(page, 2);

  step('a generation longer than the wait becomes a job: shown in progress, then failed with its error');
  // the emulator's next answer comes after 21 s (the page waits 20) and is a 400
  await page.evaluate(() => fetch('/emulator/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 400, latency_ms: 21000 }) }));
  await page.uncheck('#stream');
  await page.fill('#prompt', 'a very slow lighthouse');
  await page.click('#generate');
  await page.waitForSelector('#job-list li[data-status=in_progress]', { timeout: 30000 });
  await page.waitForSelector('#job-list li[data-status=failed]', { timeout: 30000 });
  const failed = await page.textContent('#job-list li[data-status=failed]');
  expect(/failed: \S/.test(failed), `failed job line: ${failed}`);
  await page.waitForSelector('#error:not([hidden])', { timeout: 5000 });
  const jobError = await page.textContent('#error');
  expect(jobError.startsWith('Job failed: '), `job error text: ${jobError}`);

  step('a bad request shows the API error');
  await page.uncheck('#stream');
  await page.fill('#prompt', 'x'.repeat(40000));
  expectingError = true;
  await page.click('#generate');
  await page.waitForSelector('#error:not([hidden])', { timeout: 15000 });
  const error = await page.textContent('#error');
  expect(error.startsWith('400') && /prompt/i.test(error), `unexpected error text: ${error}`);
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
} catch (e) {
  problems.push(e.stack || String(e));
} finally {
  await browser.close();
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('playground: all steps passed');

/** Waits until `count` result images have finished loading with real pixels. */
async function waitForImages(page, count) {
  await page.waitForFunction((n) => {
    const imgs = [...document.querySelectorAll('img.result')];
    return imgs.length >= n && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, count, { timeout: 30000 }).catch(async (e) => {
    const state = await page.evaluate(() => ({
      error: document.getElementById('error').textContent,
      status: document.getElementById('status').textContent,
      images: [...document.querySelectorAll('img.result')].map((i) => `${i.naturalWidth}x${i.naturalHeight}`),
    }));
    throw new Error(`expected ${count} loaded images: ${JSON.stringify(state)} (${e.message})`);
  });
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}
