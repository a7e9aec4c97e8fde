// Normalised caches against a running gateway: urql's Graphcache with and without the
// shipped keys (examples/cache/graphcache.mjs), Apollo's InMemoryCache with the shipped
// type policies (examples/cache/apollo.mjs), Relay paging in both directions.
// usage: node normalised_caches.mjs <gateway url> <bearer token>
import { Client, fetchExchange, gql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { filter, firstValueFrom } from 'rxjs';
import { portalgraphCache } from '../../examples/cache/graphcache.mjs';
import { portalgraphTypePolicies } from '../../examples/cache/apollo.mjs';

const [gateway, token] = process.argv.slice(2);
const url = gateway + '/graphql';
const headers = { Authorization: `Bearer ${token}` };

const warnings = [];
for (const level of ['warn', 'error']) {
  const original = console[level];
  console[level] = (...args) => {
    warnings.push(args.map(String).join(' ').slice(0, 200));
    original.apply(console, ['[captured]', ...args.map((a) => String(a).slice(0, 120))]);
  };
}
const takeWarnings = () => warnings.splice(0, warnings.length);

// Everything a portal frontend shows: dashboard, detail, inbox, service search.
const DOCUMENTS = [
  `query Dashboard { me { id subject accounts { id accountId portal { id name } capabilities }
     applications(first: 5) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
       id status statusHistory { time status source detail } portal { id }
       payments { id status amount { cents currency } items { description total { cents currency } } }
     } } }
     unreadMessageCount outages { portalId code message } address { locality } } }`,
  `query Detail { me { applications(first: 3) { edges { node { id status
     service { id name fees { description amountCents currency } legalBasis { title url }
       onlineServices { title url } responsibleAuthority { id name addresses { street city } } } } } } } }`,
  `query Inbox { me { inbox(first: 10) { totalCount edges { node { id subject locked
     attachments { id filename downloadUrl } portal { id } } } } } }`,
  `query Services { services(ars: "053150000000", first: 5) { totalCount edges { node { id name
     fees { description amountCents } originPortal { id } } } } regions(search: "Köln") { ars name } }`,
];
const PAGE = `query Page($first: Int, $after: String, $last: Int, $before: String) {
  me { applications(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id status } } } } }`;

const report = {};

async function runUrql(config) {
  const client = new Client({
    url,
    exchanges: [cacheExchange(config), fetchExchange],
    fetchOptions: { headers },
    requestPolicy: 'network-only',
  });
  const errors = [];
  for (const document of DOCUMENTS) {
    const result = await client.query(gql(document), {}).toPromise();
    if (result.error) errors.push(result.error.message);
  }
  return { client, errors, warnings: takeWarnings() };
}

// Graphcache without keys: the warnings a developer saw before.
const bare = await runUrql({});
report.graphcacheBare = { errors: bare.errors, warnings: bare.warnings.length };
// With the shipped keys and relayPagination.
const keyed = await runUrql(portalgraphCache({ relayPagination }));
report.graphcache = { errors: keyed.errors, warnings: keyed.warnings };

// Relay paging through a fresh Graphcache: forwards merges pages; backwards from the end.
const pager = new Client({
  url,
  exchanges: [cacheExchange(portalgraphCache({ relayPagination })), fetchExchange],
  fetchOptions: { headers },
});
const page = (variables) => pager.query(gql(PAGE), variables, { requestPolicy: 'network-only' }).toPromise();
const first = await page({ first: 2 });
if (!first.data) throw new Error(`first page: ${first.error?.message}`);
const second = await page({ first: 2, after: first.data.me.applications.pageInfo.endCursor });
// Backwards, straight from the gateway (a merging cache would blend the pages).
const raw = (variables) =>
  fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query: PAGE, variables }),
  }).then((r) => r.json());
const ids = (body) => body.data.me.applications.edges.map((e) => e.node.id);
const tail = await raw({ last: 2 });
const beforeTail = await raw({ last: 2, before: tail.data.me.applications.pageInfo.startCursor });
report.paging = {
  total: first.data.me.applications.totalCount,
  forwardMerged: second.data.me.applications.edges.length,
  tail: ids(tail),
  tailInfo: tail.data.me.applications.pageInfo,
  beforeTail: ids(beforeTail),
  all: ids(await raw({ first: 100 })),
  warnings: takeWarnings(),
};


// Apollo Client with the shipped type policies: normalised, pages merged by fetchMore.
const apollo = new ApolloClient({
  link: new HttpLink({ uri: url, headers }),
  cache: new InMemoryCache({ typePolicies: portalgraphTypePolicies({ relayStylePagination }) }),
});
const apolloErrors = [];
for (const document of DOCUMENTS) {
  const result = await apollo.query({ query: gql(document), fetchPolicy: 'network-only' });
  if (result.error) apolloErrors.push(result.error.message);
}
const observable = apollo.watchQuery({ query: gql(PAGE), variables: { first: 2 } });
const firstPage = await firstValueFrom(observable.pipe(filter((r) => Boolean(r.data?.me))));
await observable.fetchMore({ variables: { after: firstPage.data.me.applications.pageInfo.endCursor } });
const merged = apollo.readQuery({ query: gql(PAGE), variables: { first: 2 } });
const meId = firstPage.data.me.__typename === 'Me' ? apollo.cache.identify(firstPage.data.me) : null;
report.apollo = {
  errors: apolloErrors,
  merged: merged.me.applications.edges.length,
  normalisedApplication: Object.keys(apollo.cache.extract()).filter((k) => k.startsWith('Application:')).length,
  meKey: meId,
  warnings: takeWarnings(),
};

console.log(JSON.stringify(report));
