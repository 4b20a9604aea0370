import * as fs from 'fs';
import { GENERATED_TYPES_DISPLAY, GENERATED_TYPES_FILE, REGENERATE_COMMAND, renderTypes } from '../../../schemas/codegen/render-types';
import { loadSchemaCatalog } from '../../../schemas/load';

describe('generated types', () => {
  it(`${GENERATED_TYPES_DISPLAY} is up to date with schemas/`, () => {
    const expected = renderTypes(loadSchemaCatalog());
    const committed = fs.existsSync(GENERATED_TYPES_FILE) ? fs.readFileSync(GENERATED_TYPES_FILE, 'utf8') : '';
    if (committed !== expected) {
      throw new Error(`${GENERATED_TYPES_DISPLAY} is stale: run \`${REGENERATE_COMMAND}\` and commit the result`);
    }
  });

  it('maps Avro types as the header documents', () => {
    const text = renderTypes(loadSchemaCatalog());
    expect(text).toMatch(/^\/\*\n \* GENERATED FILE, DO NOT EDIT/);
    expect(text).toContain(`Regenerate: ${REGENERATE_COMMAND}`);
    expect(text).toContain('readonly occurredAt: Date;');
    expect(text).toContain('readonly aggregateVersion: number;');
    expect(text).toContain('readonly causationId: string | null;');
    expect(text).toContain('readonly confirmedAt: Date | null;');
    expect(text).toContain('readonly items: readonly OrderItem[];');
    expect(text).toContain("export type OrderStatus = 'PLACED' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';");
    expect(text).toContain("| { readonly type: 'OrderPlaced'; readonly value: OrderPlaced }");
    expect(text).toContain('[TOPIC.orderEvents]: OrderEvent;');
  });
});
