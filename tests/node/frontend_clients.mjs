// urql and Apollo Client with their default configuration against a running gateway.
// usage: node frontend_clients.mjs <gateway url> <bearer token>
// Prints one JSON line with what each client saw; tests/e2e/test_js_clients.py judges it.
// fetch is observed (method, status, content type), never changed: the clients run as a
// frontend developer would set them up from their own docs.
import { createHash } from 'node:crypto';
import { Client, cacheExchange, fetchExchange, gql } from '@urql/core';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const [gateway, token] = process.argv.slice(2);
const url = gateway + '/graphql';
const headers = { Authorization: `Bearer ${token}` };

const seen = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const response = await realFetch(input, init);
  seen.push({
    method: init.method ?? 'GET',
    status: response.status,
    type: (response.headers.get('content-type') ?? '').split(';')[0],
    hashOnly: String(input).includes('persistedQuery') && !String(input).includes('query='),
  });
  return response;
};
const take = () => seen.splice(0, seen.length);

const DASHBOARD = `query Dashboard {
  me {
    applications(first: 5) { totalCount edges { node { id status portal { id } } } }
    unreadMessageCount
  }
}`;
const PORTALS = 'query Portals { portals { id name } }';
const report = {};

// urql: the exchanges its README sets up, a token in fetchOptions, nothing else.
const urql = new Client({ url, exchanges: [cacheExchange, fetchExchange], fetchOptions: { headers } });
const urqlResult = await urql.query(gql(DASHBOARD), {}).toPromise();
report.urql = {
  error: urqlResult.error ? String(urqlResult.error.message) : null,
  applications: urqlResult.data?.me?.applications?.totalCount ?? null,
  requests: take(),
};

// Apollo Client 4: HttpLink + InMemoryCache, as in its "Get started".
const apollo = new ApolloClient({ link: new HttpLink({ uri: url, headers }), cache: new InMemoryCache() });
const apolloResult = await apollo.query({ query: gql(DASHBOARD) });
report.apollo = {
  error: apolloResult.error ? String(apolloResult.error.message) : null,
  applications: apolloResult.data?.me?.applications?.totalCount ?? null,
  requests: take(),
};

// Apollo's automatic persisted queries with GET for hashed queries: the first GET misses,
// the link retries with the document (POST), the next client's GET finds it.
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const apqClient = () =>
  new ApolloClient({
    link: new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(new HttpLink({ uri: url })),
    cache: new InMemoryCache(),
  });
const first = await apqClient().query({ query: gql(PORTALS) });
const firstRequests = take();
const second = await apqClient().query({ query: gql(PORTALS) });
report.apq = {
  first: first.data?.portals?.length ?? null,
  firstRequests,
  second: second.data?.portals?.length ?? null,
  secondRequests: take(),
};

console.log(JSON.stringify(report));
