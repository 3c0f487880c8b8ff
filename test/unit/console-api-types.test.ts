import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { generateApiTypes, schemaFile } from '../../console/scripts/generate-api-types.ts';

it("console/src/api/schema.d.ts matches the API's OpenAPI document", async () => {
  const [committed, generated] = await Promise.all([readFile(schemaFile, 'utf8'), generateApiTypes()]);
  expect(committed === generated, 'console/src/api/schema.d.ts is stale: run npm run console:types').toBe(
    true,
  );
});
