// GraphiQL in headless Chromium, submitting an application with a file: the page's file
// picker sends the next operation that declares $attachments as a GraphQL multipart request.
// usage: node graphiql_upload.mjs <gateway url> <token> <variables json>
import { chromium } from 'playwright-core';

const [gateway, token, variables] = process.argv.slice(2);
const MUTATION = `mutation Submit($form: JSON!, $attachments: [Upload!]) {
  submitApplication(input: {leikaKey: "99085001012000", ars: "053150000000", form: $form,
                            attachments: $attachments, clientMutationId: "graphiql-upload"}) {
    __typename
    ... on ApplicationSubmitted { application { status serviceName } }
    ... on SubmissionRejected { code message }
  }
}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
});
const report = {};
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(gateway + '/graphql');
  await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 15000 });
  const setEditor = (selector, text) =>
    page.evaluate(([s, t]) => document.querySelector(s).CodeMirror.setValue(t), [selector, text]);
  const result = () =>
    page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue());
  const tool = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';

  await page.getByRole('button', { name: 'Headers' }).click();
  await setEditor(tool, JSON.stringify({ Authorization: `Bearer ${token}` }));
  await page.getByRole('button', { name: 'Variables' }).click();
  await setEditor(tool, variables);
  await setEditor('.graphiql-query-editor .CodeMirror', MUTATION);
  await page.setInputFiles('#portalgraph-files', {
    name: 'foto.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.7\n' + 'Lichtbild\n'.repeat(200) + '%%EOF\n'),
  });
  await sleep(500);
  await page.click('.graphiql-execute-button');
  for (let waited = 0; waited < 15000 && !(await result()).includes('__typename'); waited += 200) {
    await sleep(200);
  }
  report.result = JSON.parse(await result());
  report.filesLeft = await page.evaluate(() => document.getElementById('portalgraph-files').files.length);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
