// A tiny GraphQL client for persisted documents. Queries go over HTTP by id first
// ({"documentId": "sha256:…"}); a gateway that does not know the id yet (APQ mode, e.g.
// `make run`) answers PERSISTED_QUERY_NOT_FOUND, and the client sends the text once with
// its hash (Apollo's APQ extension), which registers it. A gateway in trusted-documents
// mode knows every id from the manifest, so the fallback never happens there. The
// subscription goes over graphql-ws with the exact text that was hashed.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

type Persisted = { __meta__?: { hash?: string } };
type GraphQLBody<R> = {
  data?: R;
  errors?: { message: string; extensions?: { code?: string } }[];
};

function documentId(document: TypedDocumentNode<unknown, never>): string {
  const hash = (document as Persisted).__meta__?.hash;
  if (!hash) throw new Error('document has no persisted hash: run `npm run codegen`');
  return hash;
}

export class PortalgraphClient {
  readonly ws: Client;

  constructor(private readonly endpoint: string, private readonly token?: string) {
    this.ws = createClient({
      url: endpoint.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      // Browsers cannot set headers on a WebSocket; the gateway reads connection_init.
      connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
    });
  }

  async query<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    const id = documentId(document as never);
    // GraphQL over HTTP, persisted documents appendix: the id instead of the text.
    let body = await this.post<R>({ documentId: id, variables });
    if (body.errors?.some((e) => e.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) {
      // APQ mode: register the document by sending it once with its hash.
      const query = printExecutableGraphQLDocument(document);
      const persistedQuery = { version: 1, sha256Hash: id.replace(/^sha256:/, '') };
      body = await this.post<R>({ query, variables, extensions: { persistedQuery } });
    }
    if (body.errors?.length || body.data === undefined) {
      throw new Error(body.errors?.map((e) => e.message).join('; ') ?? 'no data');
    }
    return body.data;
  }

  private async post<R>(payload: object): Promise<GraphQLBody<R>> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json;q=0.9',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify(payload),
    });
    const body = (await response.json()) as GraphQLBody<R>;
    if (body.data === undefined && !body.errors) {
      body.errors = [{ message: `HTTP ${response.status}` }];
    }
    return body;
  }

  subscribe<R, V>(document: TypedDocumentNode<R, V>, variables?: V): AsyncIterableIterator<R> {
    // graphql-ws sends text; the manifest key is the sha256 of exactly this printing.
    const query = printExecutableGraphQLDocument(document);
    const results = this.ws.iterate<R>({ query, variables: variables ?? {} });
    return (async function* () {
      for await (const result of results) {
        if (result.errors?.length || !result.data) {
          throw new Error(result.errors?.map((e) => e.message).join('; ') ?? 'no data');
        }
        yield result.data;
      }
    })();
  }

  async close(): Promise<void> {
    await this.ws.dispose();
  }
}
