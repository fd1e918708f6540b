/**
 * One spelling for every way code names a model or table, so that a Prisma accessor
 * (`prisma.orderItem`), a TypeORM entity (`OrderItemEntity`), a Drizzle table variable
 * (`orderItemsTable`) and raw SQL (`"public"."order_items"`) all land on the same key.
 *
 * The normal form is: the last dotted segment without quotes, without a trailing
 * `Repository`/`Repo`/`Entity`/`Model`/`Table`/`Schema`/`Document`/`Collection` word, lower-case,
 * with `_`, `-` and spaces removed, and its final word made singular:
 * `order_items`, `OrderItem`, `orderItemsTable` -> `orderitem`; `categories` -> `category`.
 */

const WRAPPER_SUFFIXES = ['Repository', 'Repo', 'Entity', 'Model', 'Table', 'Schema', 'Document', 'Collection'];

/** Plurals whose singular the suffix rules below would get wrong. */
const IRREGULAR_SINGULARS: Record<string, string> = {
  people: 'person',
  children: 'child',
  men: 'man',
  women: 'woman',
  mice: 'mouse',
  geese: 'goose',
  movies: 'movie',
  cookies: 'cookie',
  series: 'series',
  species: 'species',
  news: 'news',
  caches: 'cache',
  niches: 'niche',
  indices: 'index',
  matrices: 'matrix',
  vertices: 'vertex',
  criteria: 'criterion',
  analyses: 'analysis',
  diagnoses: 'diagnosis',
};

function stripQuotes(part: string): string {
  return part.trim().replace(/^["'`[]+|["'`\]]+$/g, '');
}

function stripWrapperSuffix(name: string): string {
  let current = name;
  let changed = true;
  while (changed) {
    changed = false;
    for (const suffix of WRAPPER_SUFFIXES) {
      // Only a suffix that starts a new word counts: `productsTable`, `products_table`, `ProductEntity`;
      // a name that is nothing but the suffix (`Model`, `repository`) is left alone.
      if (current.length > suffix.length && current.endsWith(suffix)) {
        current = current.slice(0, -suffix.length).replace(/[_-]+$/, '');
        changed = true;
        break;
      }
      const snake = `_${suffix.toLowerCase()}`;
      if (current.length > snake.length && current.toLowerCase().endsWith(snake)) {
        current = current.slice(0, -snake.length);
        changed = true;
        break;
      }
    }
  }
  return current;
}

export function singularize(word: string): string {
  const irregular = IRREGULAR_SINGULARS[word];
  if (irregular !== undefined) return irregular;
  for (const [plural, singular] of Object.entries(IRREGULAR_SINGULARS)) {
    // Compounds (`salespeople`, `pagecaches`) only for longer plurals: `men` would turn `specimen` into `speciman`.
    if (plural.length >= 5 && word.endsWith(plural) && word.length > plural.length) {
      return word.slice(0, -plural.length) + singular;
    }
  }
  if (word.length <= 3) return word;
  if (word.endsWith('ies')) return word.length > 4 ? `${word.slice(0, -3)}y` : word.slice(0, -1);
  if (word.endsWith('sses') || word.endsWith('xes') || word.endsWith('shes') || word.endsWith('ches')) {
    return word.slice(0, -2);
  }
  if (word.endsWith('uses')) {
    // statuses, buses, bonuses drop "es"; houses, causes, courses only drop "s".
    const beforeU = word.charAt(word.length - 5);
    return /[aeiour]/.test(beforeU) ? word.slice(0, -1) : word.slice(0, -2);
  }
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/**
 * Normalise a model or table name as written in code or SQL. Returns undefined when nothing
 * usable is left (an empty string, a bare wrapper word such as `repository`).
 */
export function normalizeModelName(raw: string): string | undefined {
  let text = raw.trim();
  // Knex and Kysely accept `'products as p'` and `'products p'`.
  text = text.replace(/\s+as\s+\S+$/i, '').replace(/^(\S+)\s+\S+$/, '$1');
  const parts = text.split('.').map(stripQuotes).filter((part) => part.length > 0);
  let name = parts[parts.length - 1];
  if (name === undefined) return undefined;
  name = name.replace(/^[_$#]+/, '');
  name = stripWrapperSuffix(name);
  const flat = name.toLowerCase().replace(/[\s_-]+/g, '');
  if (!/^[a-z0-9]+$/.test(flat) || !/[a-z]/.test(flat)) return undefined;
  if (['repository', 'repo', 'entity', 'model', 'table', 'schema', 'document', 'collection'].includes(flat)) {
    return undefined;
  }
  return singularize(flat);
}
