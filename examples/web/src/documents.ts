// The operations this frontend may run; codegen turns each into a typed, hashed document.
import { graphql } from './gql';

export const PortalsQuery = graphql(`
  query Portals($tier: Tier) {
    portals(tier: $tier) {
      id
      name
      tier
    }
  }
`);

export const InboxSubscription = graphql(`
  subscription NewMessages {
    inboxMessageReceived {
      subject
      portal {
        id
      }
    }
  }
`);
