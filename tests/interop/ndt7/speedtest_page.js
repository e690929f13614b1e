// Opens the speed-test page our ndt-server serves at / in headless Debian Chromium (driven by
// npm playwright-core), accepts the data policy, runs the test and saves a screenshot.
// Usage: node speedtest_page.js URL SCREENSHOT.png
// Prints one JSON line with what the page shows; exits non-zero unless it shows a full result.
'use strict';
const {chromium} = require('playwright-core');

(async () => {
  const [url, screenshot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--ignore-certificate-errors'],
  });
  let out = {url};
  try {
    const context = await browser.newContext({ignoreHTTPSErrors: true,
                                              viewport: {width: 900, height: 560}});
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(url);
    await page.check('#policy');
    await page.click('#start');
    await page.waitForSelector('body[data-result]', {timeout: 60000});
    const text = async (id) => (await page.textContent(id)).trim();
    out = {
      url,
      result: await page.getAttribute('body', 'data-result'),
      status: await text('#status'),
      download: parseFloat(await text('#download')),
      upload: parseFloat(await text('#upload')),
      latency: parseFloat(await text('#latency')),
      consoleErrors,
    };
    await page.screenshot({path: screenshot, fullPage: true});
  } catch (e) {
    out.error = String(e);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
  const ok = out.result === 'done' && out.download > 0 && out.upload > 0 && out.latency >= 0 &&
      out.consoleErrors.length === 0;
  process.exit(ok ? 0 : 1);
})();
