// graphql-ws and graphql-sse, the clients frontend teams use, against a running gateway.
// usage: node clients.mjs <gateway url> <bearer token> <inbox url of the viewer's portal>
// Prints one JSON line with what each client saw; tests/e2e/test_js_clients.py judges it.
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';

const [gateway, token, inbox] = process.argv.slice(2);
const INBOX = 'subscription { inboxMessageReceived { subject } }';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A fresh subscription takes the inbox as it is as its baseline, so the message is sent
// again until one arrives (the gateway polls every 0.3 s in the tests).
async function firstEvent(iterator, title) {
  const next = iterator.next();
  for (let attempt = 0; attempt < 8; attempt += 1) {
    await sleep(600);
    await fetch(`${inbox}/_sandbox/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'lena', title }),
    });
    const found = await Promise.race([next, sleep(900).then(() => null)]);
    if (found) return found.value;
  }
  throw new Error(`no event for ${title}`);
}

async function errorOf(iterator) {
  try {
    // A stream may also deliver the errors as its only result.
    const { value } = await iterator.next();
    const errors = value?.errors ?? [];
    return errors.length ? { message: errors.map((e) => e.message).join('; '), codes: errors.map((e) => e.extensions?.code ?? null) } : null;
  } catch (error) {
    const errors = Array.isArray(error) ? error : [error];
    return {
      message: errors.map((e) => e.message ?? String(e)).join('; '),
      codes: errors.map((e) => e.extensions?.code ?? null),
    };
  }
}

const report = { ws: {}, sse: {} };
let connections = 0;
const ws = createWsClient({
  url: gateway.replace('http', 'ws') + '/graphql',
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 5,
  retryWait: () => sleep(200),
  on: { connected: () => { connections += 1; } },
});

// A single-result operation over the socket.
const query = ws.iterate({ query: '{ portals { id } }' });
report.ws.query = (await query.next()).value.data.portals.length;
report.ws.queryDone = (await query.next()).done;

// Subscribe, receive, then complete from the client side.
const subscription = ws.iterate({ query: INBOX });
report.ws.event = (await firstEvent(subscription, 'graphql-ws 1')).data.inboxMessageReceived.subject;

// Reconnect: the socket dies under the running subscription; the client dials again and
// resubscribes, and the next message still arrives.
const before = connections;
ws.terminate();
const again = ws.iterate({ query: INBOX });
report.ws.afterReconnect = (await firstEvent(again, 'graphql-ws 2')).data.inboxMessageReceived.subject;
report.ws.reconnects = connections - before;
report.ws.completed = (await subscription.return()).done && (await again.return()).done;

// Errors: a document that does not validate, and a subscription without a sign-in.
report.ws.validationError = await errorOf(ws.iterate({ query: 'subscription { nope }' }));
const anonymous = createWsClient({ url: gateway.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket });
const refused = await anonymous.iterate({ query: INBOX }).next();
report.ws.anonymousError = refused.value?.errors?.[0]?.extensions?.code ?? null;
await anonymous.dispose();
await ws.dispose();

// graphql-sse in its default distinct-connections mode: one HTTP stream per operation.
const sse = createSseClient({
  url: gateway + '/graphql',
  headers: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});
const stream = sse.iterate({ query: INBOX });
report.sse.event = (await firstEvent(stream, 'graphql-sse')).data.inboxMessageReceived.subject;
report.sse.completed = (await stream.return()).done;
report.sse.validationError = await errorOf(sse.iterate({ query: 'subscription { nope }' }));
sse.dispose();

console.log(JSON.stringify(report));
