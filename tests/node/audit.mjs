// GraphQL over HTTP: the graphql-http server audits against a running gateway.
// usage: node audit.mjs <graphql url>  → prints [{"id", "name", "status", "reason"}, ...]
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const results = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  results.push({
    id: audit.id,
    name: audit.name,
    status: result.status,
    reason: result.status === 'ok' ? '' : String(result.reason),
  });
}
console.log(JSON.stringify(results));
