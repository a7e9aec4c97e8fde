// Example frontend logic, run with node: list the portals, then wait for one new inbox
// message. PORTALGRAPH_URL defaults to `make run`'s gateway; PORTALGRAPH_TOKEN is a demo
// token from its banner. SANDBOX_INBOX (optional, sandbox only) makes a message happen.
import { PortalgraphClient } from './client';
import { InboxSubscription, PortalsQuery } from './documents';

const endpoint = process.env.PORTALGRAPH_URL ?? 'http://127.0.0.1:8000/graphql';
const client = new PortalgraphClient(endpoint, process.env.PORTALGRAPH_TOKEN);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function nudgeSandbox(signal: AbortSignal): Promise<void> {
  const inbox = process.env.SANDBOX_INBOX;
  // A new subscription takes the inbox as its baseline, so keep sending until one arrives.
  while (inbox && !signal.aborted) {
    await sleep(700);
    await fetch(`${inbox}/_sandbox/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: process.env.SANDBOX_LOGIN ?? 'lena', title: 'Hallo aus examples/web' }),
    });
  }
}

const { portals } = await client.query(PortalsQuery, { tier: null });
console.log(JSON.stringify({ portals: portals.map((p) => p.id) }));

const done = new AbortController();
const nudging = nudgeSandbox(done.signal);
const messages = client.subscribe(InboxSubscription);
const first = await messages.next();
done.abort();
await messages.return?.();
await nudging;
console.log(JSON.stringify({ message: first.value?.inboxMessageReceived }));
await client.close();
