// A page on another origin (a frontend dev server) talking to the gateway in headless
// Chromium: fetch with the headers clients and tracing add, a graphql-transport-ws
// subscription and an SSE subscription; then the same from an origin that is not allowed.
// usage: node browser_origin.mjs <allowed page url> <refused page url> <gateway url> <token> <inbox url>
import { chromium } from 'playwright-core';

const [allowedPage, refusedPage, gateway, token, inbox] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const SUBSCRIPTION = 'subscription { inboxMessageReceived { subject portal { id } } }';

// Runs inside the page.
async function pageFetches({ gateway, token }) {
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    'apollographql-client-name': 'portal-web',
    'apollographql-client-version': '1.4.0',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    tracestate: 'portal=1',
    baggage: 'tenant=koeln',
    'sentry-trace': '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1',
  };
  const out = {};
  try {
    const post = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: '{ me { unreadMessageCount } portals { id } }' }),
    });
    const body = await post.json();
    out.post = { status: post.status, portals: body.data?.portals?.length ?? null, me: body.data?.me ?? null };
    out.post.requestId = post.headers.get('x-request-id');
  } catch (error) {
    out.post = { error: String(error) };
  }
  try {
    const query = encodeURIComponent('{ portals { id } }');
    const get = await fetch(`${gateway}/graphql?query=${query}`, {
      headers: {
        Authorization: headers.Authorization,
        Accept: 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
      },
    });
    out.get = { status: get.status, type: get.headers.get('content-type'), portals: (await get.json()).data?.portals?.length };
  } catch (error) {
    out.get = { error: String(error) };
  }
  return out;
}

// Runs inside the page: both subscriptions, their first events land in window.live.
function pageSubscribes({ gateway, token, query }) {
  window.live = { ws: null, wsState: 'connecting', sse: null, sseState: 'connecting' };
  const socket = new WebSocket(gateway.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
  socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
  socket.onerror = () => { window.live.wsState = 'error'; };
  socket.onclose = (event) => { if (window.live.wsState !== 'subscribed') window.live.wsState = `closed ${event.code}`; };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'connection_ack') {
      window.live.wsState = 'subscribed';
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
    } else if (message.type === 'next' && window.live.ws === null) {
      window.live.ws = message.payload.data.inboxMessageReceived;
    }
  };
  (async () => {
    try {
      const response = await fetch(`${gateway}/graphql`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        body: JSON.stringify({ query }),
      });
      window.live.sseState = `${response.status} ${response.headers.get('content-type')}`;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      while (window.live.sse === null) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const match = buffer.match(/event: next\r?\ndata: (.*)\r?\n/);
        if (match) window.live.sse = JSON.parse(match[1]).data.inboxMessageReceived;
      }
      reader.cancel();
    } catch (error) {
      window.live.sseState = String(error);
    }
  })();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const report = {};
try {
  const page = await browser.newPage();
  await page.goto(allowedPage);
  report.origin = await page.evaluate(() => location.origin);
  report.allowed = await page.evaluate(pageFetches, { gateway, token });
  await page.evaluate(pageSubscribes, { gateway, token, query: SUBSCRIPTION });
  for (let attempt = 0; attempt < 12; attempt += 1) {
    await sleep(700);
    const live = await page.evaluate(() => window.live);
    if (live.ws && live.sse) break;
    if (live.wsState === 'subscribed') {
      await fetch(`${inbox}/_sandbox/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'lena', title: 'Vom Dev-Server' }),
      });
    }
  }
  report.live = await page.evaluate(() => window.live);

  // The same page from an origin PORTALGRAPH_CORS_ORIGINS does not list.
  const other = await browser.newPage();
  await other.goto(refusedPage);
  report.refusedOrigin = await other.evaluate(() => location.origin);
  report.refused = await other.evaluate(pageFetches, { gateway, token });
  await other.evaluate(pageSubscribes, { gateway, token, query: SUBSCRIPTION });
  await sleep(1500);
  report.refusedLive = await other.evaluate(() => window.live);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
