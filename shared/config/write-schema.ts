import * as fs from 'node:fs';
import * as path from 'node:path';
import { allRules } from '../analyzer/rules';
import { buildConfigSchema } from './config-schema';

/** Regenerates schema/cachescoperc.schema.json from the rules' option schemas (`npm run schema`). */
const target = path.resolve(__dirname, '..', '..', '..', 'schema', 'cachescoperc.schema.json');
fs.writeFileSync(target, `${JSON.stringify(buildConfigSchema(allRules), null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
