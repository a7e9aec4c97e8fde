// Portalgraph cache configuration for urql's Graphcache (@urql/exchange-graphcache 9).
// Tested in tests/node/normalised_caches.mjs. Usage:
//
//   import { cacheExchange } from '@urql/exchange-graphcache';
//   import { relayPagination } from '@urql/exchange-graphcache/extras';
//   import { portalgraphCache } from './graphcache.mjs';
//   const client = new Client({ url, exchanges: [cacheExchange(portalgraphCache({ relayPagination })), fetchExchange] });
//
// Objects with an `id` (Application, Payment, Message, Service, Portal, Organisation,
// PortalAccount) are normalised by it; select `id` wherever you select such an object.
// `Me` is the signed-in viewer, one per client: a fixed key, so a query need not select
// `me { id }` (clear the cache on sign-out). The rest are values that only exist inside their
// parent (a fee of a service, an entry of a status history, a page of a connection): they
// are declared embedded (`() => null`), which is what Graphcache's "no key" warning asks for.

const embedded = () => null;

export const keys = {
  Me: () => 'me',
  // Attachment ids are unique only within their message: keep attachments inside it.
  Attachment: embedded,
  // A region is identified by its official regional key.
  Region: (region) => region.ars ?? null,
  // Values inside their parent.
  Address: embedded,
  Fee: embedded,
  FieldError: embedded,
  Link: embedded,
  Money: embedded,
  OnlineService: embedded,
  Outage: embedded,
  PaymentItem: embedded,
  PostalAddress: embedded,
  StatusChange: embedded,
  // Connections and their pages.
  ApplicationConnection: embedded,
  ApplicationEdge: embedded,
  MessageConnection: embedded,
  MessageEdge: embedded,
  ServiceConnection: embedded,
  ServiceEdge: embedded,
  PageInfo: embedded,
  // Results of mutations and subscription events: they carry normalised objects
  // (application, payment, message) that update the cache; the wrapper itself is a value.
  ApplicationSubmitted: embedded,
  SubmissionRejected: embedded,
  ApplicationsForgotten: embedded,
  ReplySent: embedded,
  PaymentStarted: embedded,
  PaymentRejected: embedded,
  ApplicationStatusEvent: embedded,
  PaymentStatusEvent: embedded,
  InboxMessageEvent: embedded,
  _Service: embedded,
};

// `relayPagination` from '@urql/exchange-graphcache/extras' merges pages of a list.
export function portalgraphCache({ relayPagination } = {}) {
  const resolvers = relayPagination
    ? {
        Query: { services: relayPagination() },
        Me: { applications: relayPagination(), inbox: relayPagination() },
      }
    : {};
  return { keys, resolvers };
}
