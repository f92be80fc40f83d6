// The playground tells a key with limits what it has left: usage shown once the key is typed, and lower after a
// generation by what the image cost. Usage: node usage.mjs <base-url>; the server's keys document gives the key
// KEY below a budget of $0.05 a day. Exits non-zero with the reason when a step fails.
import { chromium } from 'playwright-core';

const KEY = 'sk-playground-usage-0001';
const base = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const problems = [];
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready=true]', { timeout: 15000 });

  console.log('step: the key is typed, its budget is shown');
  await page.click('summary');
  await page.fill('#key', KEY);
  await page.dispatchEvent('#key', 'change');
  await page.waitForSelector('#usage:not([hidden])', { timeout: 10000 });
  const before = await page.textContent('#usage');
  expect(before.includes('$0.05 of $0.05 left today'), `usage before: "${before}"`);

  console.log('step: one dall-e-2 256x256 image ($0.016) later, $0.034 is left');
  await page.selectOption('#model', 'dall-e-2');
  await page.selectOption('#size', '256x256');
  await page.fill('#n', '1');
  await page.fill('#prompt', 'a lighthouse on a cliff at dawn');
  await page.click('#generate');
  await page.waitForFunction(() => document.getElementById('usage').textContent.includes('$0.034 of $0.05'),
    null, { timeout: 30000 }).catch(async (e) => {
    throw new Error(`usage after: "${await page.textContent('#usage')}", error: "${await page.textContent('#error')}"`);
  });
} catch (e) {
  problems.push(e.stack || String(e));
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('usage: all steps passed');

function expect(condition, message) {
  if (!condition) throw new Error(message);
}
