// The client generated from the OpenAPI document (`npm run sdk` rewrites ./generated), and the
// factory that points one at a gateway, which the generated index leaves in its client folder.
export * from './generated';
export { type Client, createClient, createConfig } from './generated/client';
