/**
 * The `WWW-Authenticate` challenge of a refused bearer token (RFC 6750 §3), laid out
 * as API Gateway's JWT authorizer writes it:
 * `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`
 * (AWS API Gateway developer guide, "Troubleshooting issues with HTTP API JWT authorizers").
 * A request without any token gets the bare `Bearer` scheme: RFC 6750 §3.1 says a
 * server should not name an error when no credentials were sent.
 */
export function bearerChallenge(description?: string): string {
  if (description === undefined) return 'Bearer';
  // RFC 6750 §3: error_description is printable ASCII without `"` and `\`.
  const quoted = description.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
  return `Bearer scope="" error="invalid_token" error_description="${quoted}"`;
}
