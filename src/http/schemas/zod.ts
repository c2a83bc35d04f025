import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Adds `.openapi()` (component names, descriptions, examples) to zod's prototype. Every
// schema module imports `z` from here, so the extension is in place before any schema
// that uses it is built, whichever module is loaded first.
extendZodWithOpenApi(z);

export { z };
