import { defineConfig } from 'prisma/config';

// The CLI is used only for `prisma generate`, which needs no database. Migrations run on the
// WebAssembly schema engine (libs/persistence/src/migrations), never on Prisma's native binary.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
