// Portalgraph type policies for Apollo Client's InMemoryCache (@apollo/client 4).
// Tested in tests/node/normalised_caches.mjs. Usage:
//
//   import { InMemoryCache } from '@apollo/client';
//   import { relayStylePagination } from '@apollo/client/utilities';
//   import { portalgraphTypePolicies } from './apollo.mjs';
//   const cache = new InMemoryCache({ typePolicies: portalgraphTypePolicies({ relayStylePagination }) });
//
// Objects with an `id` are normalised by `__typename` + `id` (Apollo's default). Types
// without one are kept inside their parent; `merge: true` tells Apollo that a newer copy
// of such a value replaces the old one without a "cache data may be lost" warning.

export function portalgraphTypePolicies({ relayStylePagination } = {}) {
  const paged = (keyArgs) => (relayStylePagination ? relayStylePagination(keyArgs) : { keyArgs });
  return {
    Query: {
      fields: {
        services: paged(['query', 'ars', 'leikaKey']),
      },
    },
    // The signed-in viewer, one per client: a singleton, whether or not a query selects
    // `me { id }` (clear the cache on sign-out: `client.clearStore()`).
    Me: {
      keyFields: [],
      fields: {
        applications: paged(['status', 'portal']),
        inbox: paged(['unreadOnly', 'portal', 'application']),
      },
    },
    // Attachment ids are unique only within their message: keep attachments inside it.
    Attachment: { keyFields: false },
    Region: { keyFields: ['ars'] },
    Money: { merge: true },
    PostalAddress: { merge: true },
    PageInfo: { merge: true },
  };
}
