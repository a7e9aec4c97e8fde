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
  // The page declares its favicon inline: no request may fail, /favicon.ico included.
  page.on('response', (response) => {
    if (response.status() >= 400 && !(response.request().postData() ?? '').includes('IntrospectionQuery')) {
      report.consoleErrors.push(`${response.status()} ${response.url()}`);
    }
  });
  // Every introspection GraphiQL sends, with the status it got.
  report.introspections = [];
  page.on('response', (response) => {
    const body = response.request().postData() ?? '';
    if (body.includes('IntrospectionQuery')) {
      report.introspections.push({
        status: response.status(),
        token: (response.request().headers().authorization ?? '').slice(0, 20),
      });
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

  // What a first visit shows: the dashboard query and where the token comes from.
  report.defaultQuery = await page.evaluate(
    () => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue(),
  );
  // A bad token in the headers editor must not break the docs: re-fetch the schema with it.
  await page.getByRole('button', { name: 'Headers' }).click();
  await setEditor(
    '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror',
    JSON.stringify({ Authorization: 'Bearer expired.or.garbage' }, null, 2),
  );
  await sleep(700); // GraphiQL reads the headers editor after a debounce
  await page.getByRole('button', { name: /Re-fetch GraphQL schema/i }).click();
  await sleep(800);
  await page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
  await page.waitForSelector('.graphiql-doc-explorer', { timeout: 5000 });
  await page.getByText('Query', { exact: true }).first().click();
  await sleep(300);
  report.docsFields = await page.evaluate(() =>
    [...document.querySelectorAll('.graphiql-doc-explorer-field-name')].map((e) => e.textContent),
  );
  report.schemaError = await page.evaluate(
    () => document.querySelector('.graphiql-doc-explorer-error')?.textContent ?? null,
  );
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
  // The upload strip sits below GraphiQL, not over the result pane.
  report.overlap = await page.evaluate(() => {
    const a = document.querySelector('.graphiql-response').getBoundingClientRect();
    const b = document.querySelector('.portalgraph-upload').getBoundingClientRect();
    return !(a.bottom <= b.top || b.bottom <= a.top || a.right <= b.left || b.right <= a.left);
  });

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
