// GraphQL Mesh composition of the peer gateway (make bench): one subgraph per PVOG
// directory the workloads use, each built by @omnigraph/openapi from the sandbox's own
// /openapi.json (URLs come from the environment because the sandbox's ports are chosen
// at run time). The three directories share one document, so each subgraph's types and
// root fields get the portal's prefix. `responsibleAuthority` is the same join as
// Portalgraph's Service.responsibleAuthority (organisationIds[0] at the item's portal),
// batched: keysArg makes Hive Gateway collect the keys of one level into one
// getOrganisationUnitDetail call with repeated `q`, matched back by `id`.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { createPrefixTransform } from '@graphql-mesh/fusion-composition';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const portals = (process.env.PEER_PORTALS ?? 'bund').split(',');

export const composeConfig = defineConfig({
  subgraphs: portals.map((portal) => ({
    sourceHandler: loadOpenAPISubgraph(portal, {
      source: `${process.env[`PEER_PVOG_${portal.toUpperCase()}`]}/openapi.json`,
    }),
    transforms: [createPrefixTransform({ value: `${portal}_`, includeRootOperations: true })],
  })),
  additionalTypeDefs: portals
    .map(
      (portal) => /* GraphQL */ `
      extend type ${portal}_ServiceDescription {
        responsibleAuthority: ${portal}_OrganisationUnit
          @resolveTo(
            sourceName: "${portal}"
            sourceTypeName: "Query"
            sourceFieldName: "${portal}_getOrganisationUnitDetail"
            requiredSelectionSet: "{ organisationIds }"
            keyField: "organisationIds[0]"
            keysArg: "q"
            valueKeyField: "id"
          )
      }`,
    )
    .join('\n'),
});
