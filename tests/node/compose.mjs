// Compose the gateway's subgraph SDL into a supergraph, as a national router would.
// usage: node compose.mjs <graphql url>  → prints {"errors": [...], "hints": n, "entities": [...]}
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

const url = process.argv[2];
const response = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ _service { sdl } }' }),
});
const { data } = await response.json();
// A second, tiny subgraph that extends Service by its key, so composition has to resolve
// the key across subgraphs instead of only checking one graph.
const national = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])
  type Service @key(fields: "leikaKey ars", resolvable: false) { leikaKey: String ars: String! }
  type Portal @key(fields: "id", resolvable: false) { id: ID! }
  type Query { nationalPortalIds: [Portal!]! favourites: [Service!]! }
`;
const result = composeServices([
  { name: 'portalgraph', url, typeDefs: parse(data._service.sdl) },
  { name: 'national', url: 'http://national.invalid/graphql', typeDefs: parse(national) },
]);
const errors = (result.errors ?? []).map((e) => e.message);
const supergraph = result.supergraphSdl ?? '';
const entities = [...supergraph.matchAll(/type (\w+)[^{]*@join__type\(graph: PORTALGRAPH, key: "([^"]+)"/g)].map(
  (m) => `${m[1]}:${m[2]}`,
);
console.log(JSON.stringify({ errors, hints: (result.hints ?? []).length, entities }));
