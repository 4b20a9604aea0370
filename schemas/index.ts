/** Public entry point of schemas/: the catalog, subject names and the compatibility check. */
export { CATALOG_TOPICS, ENVELOPE_FIELD, ENVELOPE_RECORD, TOPIC_SCHEMAS } from './catalog';
export type { TopicKind, TopicSchemaSpec } from './catalog';
export { checkReadable } from './compatibility';
export { SchemaError } from './errors';
export { catalogRecords, getCatalogRecord, loadSchemaCatalog } from './load';
export type { CatalogRecord, SchemaCatalog, TopicCatalog } from './load';
export { subjectName } from './subject';
