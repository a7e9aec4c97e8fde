// GraphQL Mesh composition of the peer gateway (make bench): one subgraph for the one
// PVOG Suchdienst of the topology sandbox (network file v2), built by @omnigraph/openapi
// from its own /openapi.json (URL and client id come from the environment because the
// sandbox's port is chosen at run time). Every call carries the PVOG's client-id header,
// as Portalgraph's calls do. `responsibleAuthority` is the same join as Portalgraph's
// Service.responsibleAuthority (organisationIds[0]): one getOrganisationUnitDetail call
// per item, since the PVOG's organisation detail takes exactly one `q` (a keysArg batch
// would send several and be refused); Portalgraph asks once per distinct id.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { createPrefixTransform } from '@graphql-mesh/fusion-composition';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('pvog', {
        source: `${process.env.PEER_PVOG_URL}/openapi.json`,
        operationHeaders: { 'pvog-sud-api-client-id': process.env.PEER_PVOG_CLIENT_ID ?? '' },
      }),
      transforms: [createPrefixTransform({ value: 'pvog_', includeRootOperations: true })],
    },
  ],
  additionalTypeDefs: /* GraphQL */ `
    extend type pvog_ServiceDescription {
      responsibleAuthority: pvog_OrganisationUnit
        @resolveTo(
          sourceName: "pvog"
          sourceTypeName: "Query"
          sourceFieldName: "pvog_getOrganisationUnitDetail"
          requiredSelectionSet: "{ organisationIds }"
          sourceArgs: { q: "{root.organisationIds[0]}" }
        )
    }
  `,
});
