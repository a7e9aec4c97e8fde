// A tiny GraphQL client for persisted documents: queries go over HTTP by id only, the
// subscription over graphql-ws with the exact text that was hashed into the manifest.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

type Persisted = { __meta__?: { hash?: string } };

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
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json;q=0.9',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      // GraphQL over HTTP, persisted documents appendix: the id instead of the text.
      body: JSON.stringify({ documentId: documentId(document as never), variables }),
    });
    const body = (await response.json()) as { data?: R; errors?: { message: string }[] };
    if (body.errors?.length || body.data === undefined) {
      throw new Error(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`);
    }
    return body.data;
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
