import 'reflect-metadata';
import { ConfigurationError, loadConfig } from '@fleetgate/config';
import { createGateway } from './create-gateway';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createGateway(config);
  await app.listen({ port: config.GATEWAY_PORT, host: config.GATEWAY_HOST });
}

main().catch((error: unknown) => {
  // A configuration problem is one clear line; anything else keeps its stack for whoever debugs it.
  console.error(error instanceof ConfigurationError ? `gateway: ${error.message}` : error);
  process.exit(1);
});
