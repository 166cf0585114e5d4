export * from './database-migrator';
export * from './wasm-schema-engine';
