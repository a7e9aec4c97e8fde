/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Administrative level of a portal (Verwaltungsebene). */
export type Tier =
  /** Federal level (Bund). */
  | 'FEDERAL'
  /** Municipal level (Kommune: Kreis, Stadt or Gemeinde). */
  | 'MUNICIPAL'
  /** State level (Land). */
  | 'STATE';

export type PortalsQueryVariables = Exact<{
  tier?: Tier | null | undefined;
}>;


export type PortalsQuery = { portals: Array<{ id: string, name: string, tier: Tier }> };

export type NewMessagesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type NewMessagesSubscription = { inboxMessageReceived: { subject: string, portal: { id: string } } };


export const PortalsDocument = {"__meta__":{"hash":"sha256:343c56e325133b4626c7c9cfc3b88a3f0d7b164750e41cb87644a724cb39c42f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Portals"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tier"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Tier"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"portals"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"tier"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tier"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}}]}}]}}]} as unknown as DocumentNode<PortalsQuery, PortalsQueryVariables>;
export const NewMessagesDocument = {"__meta__":{"hash":"sha256:02df02d80dab5560abea8f3714f78c44af5f8409f1a059090587ebf28432400c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"NewMessages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboxMessageReceived"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"portal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<NewMessagesSubscription, NewMessagesSubscriptionVariables>;