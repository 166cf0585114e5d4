/**
 * Writes the gateway's OpenAPI document to sdk/openapi.json without a database or Redis: the app
 * is built in preview mode (modules resolved, no provider instantiated), which is all Swagger needs.
 * Run from the build (`node dist/scripts/export-openapi.js`) so the Swagger CLI plugin's metadata is in.
 */
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@fleetgate/config';
import { buildOpenApiDocument } from '@fleetgate/platform';
import { GatewayModule } from '../apps/gateway/src/gateway.module';

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.forRoot(loadConfig({})),
    new FastifyAdapter(),
    {
      preview: true,
      logger: false,
    },
  );
  const document = buildOpenApiDocument(app);
  const target = resolve(process.argv[2] ?? 'sdk/openapi.json');
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${target} (${Object.keys(document.paths).length} paths)`);
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
