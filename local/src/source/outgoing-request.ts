// The shape every emulated source hands to delivery: exactly what goes on the wire, minus Host
// (the HTTP client adds it from the sink URL).

export type OutgoingRequest = {
  method: 'POST';
  /** Lower-cased names, as in the recordings; the sender writes them Go-canonical-cased. */
  headers: Record<string, string>;
  body: string;
};

/** What Go's net/http adds to every request the adapter sends (HTTP/1.1, transparent gzip). */
export const GO_TRANSPORT_HEADERS = {
  'user-agent': 'Go-http-client/1.1',
  'accept-encoding': 'gzip',
} as const;
