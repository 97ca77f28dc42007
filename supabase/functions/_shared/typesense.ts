// Typesense, one module per part (typesense/): config.ts (which collections, where the server is),
// client.ts (the official client), schemas.ts (collection schemas and search hits), documents.ts
// (import and delete), collections.ts (aliases, ensure and rebuild). This file re-exports them all.
export * from "./typesense/config.ts";
export * from "./typesense/client.ts";
export * from "./typesense/schemas.ts";
export * from "./typesense/documents.ts";
export * from "./typesense/collections.ts";
