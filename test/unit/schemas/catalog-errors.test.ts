/**
 * The loader's error messages on a copy of schemas/ broken on purpose: each
 * must say what is wrong, in which file, and how to fix it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SchemaError } from '../../../schemas/errors';
import { SCHEMAS_DIR } from '../../../schemas/library';
import { loadSchemaCatalog } from '../../../schemas/load';

let root: string;
let dir: string;

function copyAvsc(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyAvsc(source, path.join(to, entry.name));
    else if (entry.name.endsWith('.avsc')) fs.copyFileSync(source, path.join(to, entry.name));
  }
}

function edit(file: string, change: (json: Record<string, unknown>) => void): void {
  const full = path.join(dir, file);
  const json = JSON.parse(fs.readFileSync(full, 'utf8')) as Record<string, unknown>;
  change(json);
  fs.writeFileSync(full, JSON.stringify(json));
}

function loadError(): SchemaError {
  try {
    loadSchemaCatalog(dir);
  } catch (err) {
    if (err instanceof SchemaError) return err;
    throw err;
  }
  throw new Error('expected loadSchemaCatalog to fail');
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'schemas-'));
  dir = path.join(root, 'schemas');
  copyAvsc(SCHEMAS_DIR, dir);
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('schema loading errors', () => {
  it('the pristine copy loads', () => {
    expect(() => loadSchemaCatalog(dir)).not.toThrow();
  });

  it('names a record listed in the catalog whose file is missing', () => {
    fs.rmSync(path.join(dir, 'orders', 'OrderShipped.avsc'));
    const err = loadError();
    expect(err.file).toBe('schemas/catalog.ts');
    expect(err.message).toMatch(/orders\.events lists record com\.streamfold\.orders\.OrderShipped, but no file defines it/);
    expect(err.message).toContain('Create schemas/orders/OrderShipped.avsc');
  });

  it('names an unknown type, the file and field that use it', () => {
    edit('orders/OrderPlaced.avsc', (json) => {
      (json['fields'] as Array<Record<string, unknown>>)[2]!['type'] = { type: 'array', items: 'OrderItm' };
    });
    const err = loadError();
    expect(err.file).toBe('schemas/orders/OrderPlaced.avsc');
    expect(err.message).toContain('field items[] refers to type "OrderItm" (com.streamfold.orders.OrderItm)');
    expect(err.message).toContain('add schemas/orders/OrderItm.avsc');
  });

  it('names a missing shared type in the file that refers to it', () => {
    fs.rmSync(path.join(dir, 'common', 'Envelope.avsc'));
    const err = loadError();
    expect(err.message).toMatch(/field envelope refers to type "com\.streamfold\.common\.Envelope"/);
    expect(err.message).toContain('schemas/common/Envelope.avsc');
  });

  it('requires the envelope as the first field of an event record', () => {
    edit('orders/OrderShipped.avsc', (json) => {
      (json['fields'] as unknown[]).reverse();
    });
    const err = loadError();
    expect(err.file).toBe('schemas/orders/OrderShipped.avsc');
    expect(err.message).toContain('is on event topic orders.events, so its first field must be the envelope');
    expect(err.message).toContain('{"name": "envelope", "type": "com.streamfold.common.Envelope"');
  });

  it('refuses an inlined envelope: it must be referenced by name', () => {
    const envelope = JSON.parse(fs.readFileSync(path.join(dir, 'common', 'Envelope.avsc'), 'utf8')) as unknown;
    edit('orders/OrderConfirmed.avsc', (json) => {
      (json['fields'] as Array<Record<string, unknown>>)[0]!['type'] = envelope;
    });
    const err = loadError();
    expect(err.file).toBe('schemas/orders/OrderConfirmed.avsc');
    expect(err.message).toContain('defines com.streamfold.common.Envelope (at envelope), already defined in schemas/common/Envelope.avsc');
    expect(err.message).toContain('refer to it by its full name');
  });

  it('refuses a file whose name or folder does not match the record', () => {
    fs.renameSync(path.join(dir, 'orders', 'OrderShipped.avsc'), path.join(dir, 'payments', 'OrderShipped.avsc'));
    const err = loadError();
    expect(err.file).toBe('schemas/payments/OrderShipped.avsc');
    expect(err.message).toContain('belongs in schemas/orders/OrderShipped.avsc');
  });

  it('refuses a record file nothing lists or uses', () => {
    fs.writeFileSync(
      path.join(dir, 'orders', 'OrderForgotten.avsc'),
      JSON.stringify({ type: 'record', name: 'OrderForgotten', namespace: 'com.streamfold.orders', fields: [] }),
    );
    const err = loadError();
    expect(err.file).toBe('schemas/orders/OrderForgotten.avsc');
    expect(err.message).toContain('List it under its topic in schemas/catalog.ts');
  });

  it('refuses a type defined twice', () => {
    edit('derived/FraudAlert.avsc', (json) => {
      (json['fields'] as Array<Record<string, unknown>>).push({
        name: 'status',
        type: { type: 'enum', name: 'OrderStatus', namespace: 'com.streamfold.derived', symbols: ['X'] },
        doc: 'clash',
      });
    });
    const err = loadError();
    // Files load in sorted order, so the second definition met is OrderState's.
    expect(err.message).toBe(
      'schemas/derived/OrderState.avsc: defines com.streamfold.derived.OrderStatus (at status), already defined in schemas/derived/FraudAlert.avsc. Define each named type once and refer to it by its full name elsewhere.',
    );
  });

  it('reports invalid JSON with the file name', () => {
    fs.writeFileSync(path.join(dir, 'orders', 'OrderShipped.avsc'), '{ "type": "record", ');
    const err = loadError();
    expect(err.file).toBe('schemas/orders/OrderShipped.avsc');
    expect(err.message).toContain('is not valid JSON');
  });

  it('passes on what avsc rejects, with the file', () => {
    edit('orders/OrderShipped.avsc', (json) => {
      (json['fields'] as Array<Record<string, unknown>>)[1]!['type'] = 'strang';
    });
    // A short name that is not a primitive is a reference: caught before avsc sees it.
    expect(loadError().message).toContain('refers to type "strang"');
    edit('orders/OrderShipped.avsc', (json) => {
      (json['fields'] as Array<Record<string, unknown>>)[1]!['type'] = ['null', 'string', 'string'];
    });
    const err = loadError();
    expect(err.file).toBe('schemas/orders/OrderShipped.avsc');
    expect(err.message).toMatch(/avsc rejects com\.streamfold\.orders\.OrderShipped/);
  });
});
