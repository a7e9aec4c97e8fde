// GraphiQL in headless Chromium: paste a token into the headers editor, run the dashboard
// query and a subscription, and report what the result pane rendered.
// usage: node graphiql.mjs <gateway url> <token> <inbox url> <screenshot path> <query file>
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [gateway, token, inbox, screenshot, queryFile] = process.argv.slice(2);
const DASHBOARD = readFileSync(queryFile, 'utf8');
const SUBSCRIPTION = 'subscription Inbox { inboxMessageReceived { subject portal { id } } }';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
});
const report = { consoleErrors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // A browser asks for /favicon.ico on its own; every other failure is the page's.
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
      report.consoleErrors.push(`${response.status()} ${response.url()}`);
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      report.consoleErrors.push(message.text());
    }
  });
  await page.goto(gateway + '/graphql');
  await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 15000 });
  report.title = await page.title();

  // The editors are CodeMirror 5 instances; setValue is what a paste ends up doing.
  const setEditor = (selector, text) =>
    page.evaluate(([s, t]) => document.querySelector(s).CodeMirror.setValue(t), [selector, text]);
  const result = () =>
    page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue());
  const waitForResult = async (predicate, ms) => {
    for (let waited = 0; waited < ms; waited += 200) {
      const text = await result();
      if (predicate(text)) return text;
      await sleep(200);
    }
    throw new Error('result pane never showed the expected text:\n' + (await result()).slice(0, 500));
  };

  await page.getByRole('button', { name: 'Headers' }).click();
  await setEditor(
    '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror',
    JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2),
  );
  await setEditor('.graphiql-query-editor .CodeMirror', DASHBOARD);
  await sleep(500);
  await page.click('.graphiql-execute-button');
  const dashboard = JSON.parse(await waitForResult((t) => t.includes('"unreadMessageCount"'), 15000));
  report.dashboard = {
    applications: dashboard.data.me.applications.totalCount,
    statuses: [...new Set(dashboard.data.me.applications.edges.map((e) => e.node.status))].sort(),
    errors: dashboard.errors ?? [],
  };
  await page.screenshot({ path: screenshot });

  // A subscription over graphql-ws; the message is sent again until the fresh subscription
  // (which takes the inbox as its baseline) reports it.
  await setEditor('.graphiql-query-editor .CodeMirror', SUBSCRIPTION);
  await sleep(500); // GraphiQL picks the operation name up from the editor after a debounce
  await page.click('.graphiql-execute-button');
  let live = null;
  for (let attempt = 0; attempt < 10 && live === null; attempt += 1) {
    await sleep(700);
    await fetch(`${inbox}/_sandbox/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'lena', title: 'Über GraphiQL' }),
    });
    live = await waitForResult((t) => t.includes('Über GraphiQL'), 1200).catch(() => null);
  }
  report.subscription = live === null ? null : JSON.parse(live).data.inboxMessageReceived;
  if (live === null) report.lastResult = await result();
  await page.click('.graphiql-execute-button'); // the same button stops the subscription
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
