/**
 * Run-time brand-scope guard for raw SQL (ADR-009: "every brand-scoped query
 * must include brand_id in its filter; helpers ... must make brand filtering
 * hard to forget"; seed 004 T16-A: the brand pin is the FIRST predicate,
 * before any user-supplied filter).
 *
 * `findUnscopedReason(sql)` reads one statement and returns why it is refused,
 * or null. For every query level (the statement, each CTE, each subquery)
 * that reads or writes a brand-scoped table:
 *   - SELECT / UPDATE / DELETE: the WHERE clause starts with
 *     `[alias.]brand_id = $1`, has no top-level OR (AND binds tighter, so
 *     `brand_id = $1 AND a OR b` would leak other brands), and every other
 *     brand-scoped table at that level is tied by `<alias>.brand_id` in its
 *     JOIN condition or in the WHERE clause;
 *   - INSERT: the column list names brand_id and every VALUES row (or the
 *     SELECT list) gives it `$1`;
 *   - any other statement that names a brand-scoped table is refused.
 * It is a small tokenizer, not a full SQL parser: what it cannot read it
 * refuses, which is the safe direction for a guard.
 */
import { isBrandScopedTable } from './tables';

type Token =
  | { kind: 'word'; value: string; quoted: boolean }
  | { kind: 'param'; value: string }
  | { kind: 'punct'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'literal' }
  | { kind: 'group'; items: Token[] };

class Refusal extends Error {}

const OP_CHARS = new Set('+-*/<>=~!@#%^&|`?'.split(''));

/** Splits SQL into tokens, dropping comments and string contents. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new Refusal('unterminated comment');
      i = end + 2;
    } else if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'")) {
      const backslashEscapes = c !== "'";
      i += backslashEscapes ? 2 : 1;
      for (;;) {
        if (i >= n) throw new Refusal('unterminated string literal');
        if (backslashEscapes && sql[i] === '\\') {
          i += 2;
        } else if (sql[i] === "'") {
          if (sql[i + 1] === "'") i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
      tokens.push({ kind: 'literal' });
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) throw new Refusal('unterminated quoted identifier');
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            value += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else value += sql[i++];
      }
      tokens.push({ kind: 'word', value, quoted: true });
    } else if (c === '$') {
      const param = /^\$(\d+)/.exec(sql.slice(i));
      if (param) {
        tokens.push({ kind: 'param', value: param[0] });
        i += param[0].length;
        continue;
      }
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (!tag) throw new Refusal('unexpected $');
      const end = sql.indexOf(tag[0], i + tag[0].length);
      if (end < 0) throw new Refusal('unterminated dollar-quoted string');
      i = end + tag[0].length;
      tokens.push({ kind: 'literal' });
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))![0];
      tokens.push({ kind: 'word', value: word.toLowerCase(), quoted: false });
      i += word.length;
    } else if (/[0-9]/.test(c)) {
      const num = /^[0-9][0-9.eE_]*/.exec(sql.slice(i))![0];
      tokens.push({ kind: 'literal' });
      i += num.length;
    } else if (c === ':' && sql[i + 1] === ':') {
      tokens.push({ kind: 'op', value: '::' });
      i += 2;
    } else if ('(),;.[]:'.includes(c)) {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else if (OP_CHARS.has(c)) {
      let op = '';
      while (i < n && OP_CHARS.has(sql[i])) op += sql[i++];
      tokens.push({ kind: 'op', value: op });
    } else {
      throw new Refusal(`unexpected character ${JSON.stringify(c)}`);
    }
  }
  return tokens;
}

/** Nests parenthesised runs into group tokens. */
function nest(tokens: Token[]): Token[] {
  const stack: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'punct' && t.value === '(') {
      stack.push([]);
    } else if (t.kind === 'punct' && t.value === ')') {
      if (stack.length === 1) throw new Refusal('unbalanced parentheses');
      const items = stack.pop()!;
      stack[stack.length - 1].push({ kind: 'group', items });
    } else {
      stack[stack.length - 1].push(t);
    }
  }
  if (stack.length !== 1) throw new Refusal('unbalanced parentheses');
  return stack[0];
}

const isWord = (t: Token | undefined, ...values: string[]): boolean =>
  t !== undefined && t.kind === 'word' && !t.quoted && (values.length === 0 || values.includes(t.value));
const isPunct = (t: Token | undefined, value: string): boolean => t?.kind === 'punct' && t.value === value;
const isOp = (t: Token | undefined, value: string): boolean => t?.kind === 'op' && t.value === value;

const QUERY_STARTS = ['select', 'with', 'insert', 'update', 'delete', 'values', 'table'];

const CLAUSE_ENDS = new Set([
  'where',
  'group',
  'having',
  'window',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'union',
  'intersect',
  'except',
  'returning',
  'on',
  'set',
  'using',
  'values',
  'select',
  'default',
]);

const NOT_ALIAS = new Set([
  ...CLAUSE_ENDS,
  'join',
  'inner',
  'left',
  'right',
  'full',
  'cross',
  'natural',
  'outer',
  'lateral',
  'tablesample',
  'as',
  'and',
  'or',
  'from',
]);

interface TableRef {
  table: string;
  alias: string;
  /** Tokens of the JOIN condition (ON ... / USING (...)), empty for FROM items. */
  condition: Token[];
}

/** Reads a FROM list (or UPDATE ... FROM / DELETE ... USING list) into table references. */
function readFromList(tokens: Token[]): TableRef[] {
  const refs: TableRef[] = [];
  let i = 0;
  while (i < tokens.length) {
    // skip separators and join words
    while (
      i < tokens.length &&
      (isPunct(tokens[i], ',') ||
        isWord(tokens[i], 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'outer'))
    ) {
      i++;
    }
    if (i >= tokens.length) break;
    while (isWord(tokens[i], 'lateral', 'only')) i++;
    let table: string | null = null;
    const first = tokens[i];
    if (first?.kind === 'word') {
      // schema.table or table; a word followed by a group is a function call
      let name = first.value;
      i++;
      if (isPunct(tokens[i], '.') && tokens[i + 1]?.kind === 'word') {
        name = (tokens[i + 1] as { value: string }).value;
        i += 2;
      }
      if (tokens[i]?.kind === 'group') {
        i++;
      } else {
        table = name;
      }
    } else {
      i++;
    }
    if (isOp(tokens[i], '*')) i++;
    if (isWord(tokens[i], 'as')) i++;
    let alias = table ?? '';
    const maybeAlias = tokens[i];
    if (maybeAlias?.kind === 'word' && (maybeAlias.quoted || !NOT_ALIAS.has(maybeAlias.value))) {
      alias = maybeAlias.value;
      i++;
      if (tokens[i]?.kind === 'group') i++;
    }
    const condition: Token[] = [];
    if (isWord(tokens[i], 'on', 'using')) {
      i++;
      while (
        i < tokens.length &&
        !isPunct(tokens[i], ',') &&
        !isWord(tokens[i], 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural')
      ) {
        condition.push(tokens[i++]);
      }
    }
    if (table !== null) refs.push({ table, alias, condition });
    // anything else up to the next separator is not a table reference
    while (
      i < tokens.length &&
      !isPunct(tokens[i], ',') &&
      !isWord(tokens[i], 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural')
    ) {
      i++;
    }
  }
  return refs;
}

/** Index of the first top-level token from `from` that is one of `words`, or tokens.length. */
function indexOfWord(tokens: Token[], from: number, words: Set<string> | string[]): number {
  const set = words instanceof Set ? words : new Set(words);
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'word' && !t.quoted && set.has(t.value)) return i;
  }
  return tokens.length;
}

function splitTopLevel(tokens: Token[], isSeparator: (t: Token) => boolean): Token[][] {
  const parts: Token[][] = [[]];
  for (const t of tokens) {
    if (isSeparator(t)) parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts;
}

/** `$1` optionally followed by a cast. */
function isBrandParam(tokens: Token[]): boolean {
  if (tokens.length === 0 || tokens[0].kind !== 'param' || tokens[0].value !== '$1') return false;
  if (tokens.length === 1) return true;
  return (
    isOp(tokens[1], '::') &&
    tokens
      .slice(2)
      .every((t) => t.kind === 'word' || t.kind === 'group' || isPunct(t, '[') || isPunct(t, ']'))
  );
}

/** Does `tokens` contain `alias.brand_id` (or a bare brand_id when allowed)? */
function mentionsBrandColumn(tokens: Token[], alias: string): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'group') {
      // USING (brand_id, ...) ties both sides
      if (t.items.some((x) => x.kind === 'word' && x.value === 'brand_id')) return true;
      continue;
    }
    if (
      t.kind === 'word' &&
      t.value === alias &&
      isPunct(tokens[i + 1], '.') &&
      tokens[i + 2]?.kind === 'word' &&
      (tokens[i + 2] as { value: string }).value === 'brand_id'
    ) {
      return true;
    }
  }
  return false;
}

/**
 * WHERE rule for one query level. `refs` are the brand-scoped tables read or
 * written at that level; `where` the WHERE clause tokens (null if absent).
 */
function checkWhere(refs: TableRef[], where: Token[] | null, context: string): void {
  if (refs.length === 0) return;
  const names = refs.map((r) => r.table).join(', ');
  if (where === null || where.length === 0) {
    throw new Refusal(`${context} on ${names} has no WHERE brand_id = $1`);
  }
  if (where.some((t) => isWord(t, 'or'))) {
    throw new Refusal(`${context} on ${names}: top-level OR in WHERE (wrap the alternatives in parentheses)`);
  }
  const firstEnd = where.findIndex((t) => isWord(t, 'and'));
  const first = firstEnd < 0 ? where : where.slice(0, firstEnd);
  let qualifier: string | null = null;
  let rest = first;
  if (first[0]?.kind === 'word' && isPunct(first[1], '.')) {
    qualifier = first[0].value;
    rest = first.slice(2);
  }
  const ok =
    isWord(rest[0], 'brand_id') ||
    (rest[0]?.kind === 'word' && rest[0].quoted && rest[0].value === 'brand_id');
  if (!ok || !isOp(rest[1], '=') || !isBrandParam(rest.slice(2))) {
    throw new Refusal(`${context} on ${names}: the first WHERE predicate must be brand_id = $1`);
  }
  let pinned: TableRef | undefined;
  if (qualifier === null) {
    if (refs.length > 1) {
      throw new Refusal(`${context} on ${names}: qualify brand_id = $1 with the table alias`);
    }
    pinned = refs[0];
  } else {
    pinned = refs.find((r) => r.alias === qualifier || r.table === qualifier);
    if (!pinned)
      throw new Refusal(`${context} on ${names}: ${qualifier}.brand_id does not name a brand-scoped table`);
  }
  for (const ref of refs) {
    if (ref === pinned) continue;
    if (!mentionsBrandColumn(ref.condition, ref.alias) && !mentionsBrandColumn(where, ref.alias)) {
      throw new Refusal(
        `${context}: joined brand-scoped table ${ref.table} is not tied by ${ref.alias}.brand_id`,
      );
    }
  }
}

function scopedRefs(refs: TableRef[]): TableRef[] {
  return refs.filter((r) => isBrandScopedTable(r.table));
}

function analyzeSelect(tokens: Token[]): void {
  const fromAt = indexOfWord(tokens, 0, ['from']);
  if (fromAt >= tokens.length) return;
  const fromEnd = indexOfWord(tokens, fromAt + 1, CLAUSE_ENDS_NO_ON);
  const refs = scopedRefs(readFromList(tokens.slice(fromAt + 1, fromEnd)));
  const where = isWord(tokens[fromEnd], 'where')
    ? tokens.slice(fromEnd + 1, indexOfWord(tokens, fromEnd + 1, WHERE_ENDS))
    : null;
  checkWhere(refs, where, 'SELECT');
}

const CLAUSE_ENDS_NO_ON = new Set(
  [...CLAUSE_ENDS].filter((w) => !['on', 'using', 'set', 'values', 'select', 'default'].includes(w)),
);
const WHERE_ENDS = new Set([
  'group',
  'having',
  'window',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'returning',
]);

function analyzeUpdate(tokens: Token[]): void {
  // UPDATE [ONLY] table [[AS] alias] SET ... [FROM ...] [WHERE ...] [RETURNING ...]
  const setAt = indexOfWord(tokens, 1, ['set']);
  const target = readFromList(tokens.slice(1, setAt));
  const fromAt = indexOfWord(tokens, setAt, ['from', 'where', 'returning']);
  let refs = target;
  let whereAt = fromAt;
  if (isWord(tokens[fromAt], 'from')) {
    whereAt = indexOfWord(tokens, fromAt + 1, ['where', 'returning']);
    refs = [...target, ...readFromList(tokens.slice(fromAt + 1, whereAt))];
  }
  const where = isWord(tokens[whereAt], 'where')
    ? tokens.slice(whereAt + 1, indexOfWord(tokens, whereAt + 1, ['returning']))
    : null;
  checkWhere(scopedRefs(refs), where, 'UPDATE');
}

function analyzeDelete(tokens: Token[]): void {
  // DELETE FROM [ONLY] table [[AS] alias] [USING ...] [WHERE ...] [RETURNING ...]
  if (!isWord(tokens[1], 'from')) throw new Refusal('DELETE without FROM');
  const endOfTarget = indexOfWord(tokens, 2, ['using', 'where', 'returning']);
  let refs = readFromList(tokens.slice(2, endOfTarget));
  let whereAt = endOfTarget;
  if (isWord(tokens[endOfTarget], 'using')) {
    whereAt = indexOfWord(tokens, endOfTarget + 1, ['where', 'returning']);
    refs = [...refs, ...readFromList(tokens.slice(endOfTarget + 1, whereAt))];
  }
  const where = isWord(tokens[whereAt], 'where')
    ? tokens.slice(whereAt + 1, indexOfWord(tokens, whereAt + 1, ['returning']))
    : null;
  checkWhere(scopedRefs(refs), where, 'DELETE');
}

function analyzeInsert(tokens: Token[]): void {
  // INSERT INTO table [AS alias] (cols) VALUES (...), ... | SELECT ... | DEFAULT VALUES
  if (!isWord(tokens[1], 'into')) throw new Refusal('INSERT without INTO');
  let i = 2;
  const nameToken = tokens[i];
  if (nameToken?.kind !== 'word') throw new Refusal('INSERT target is not a table name');
  let table = nameToken.value;
  i++;
  if (isPunct(tokens[i], '.') && tokens[i + 1]?.kind === 'word') {
    table = (tokens[i + 1] as { value: string }).value;
    i += 2;
  }
  if (!isBrandScopedTable(table)) return;
  if (isWord(tokens[i], 'as')) i += 2;
  const columns = tokens[i];
  if (columns?.kind !== 'group')
    throw new Refusal(`INSERT into ${table} must list its columns, with brand_id`);
  const names = splitTopLevel(columns.items, (t) => isPunct(t, ','));
  const position = names.findIndex(
    (c) => c.length === 1 && c[0].kind === 'word' && c[0].value === 'brand_id',
  );
  if (position < 0) throw new Refusal(`INSERT into ${table} must set brand_id`);
  i++;
  if (isWord(tokens[i], 'overriding')) i = indexOfWord(tokens, i, ['values', 'select']);
  if (isWord(tokens[i], 'values')) {
    const rows = tokens.slice(i + 1, indexOfWord(tokens, i + 1, ['on', 'returning']));
    const tuples = splitTopLevel(rows, (t) => isPunct(t, ','));
    for (const tuple of tuples) {
      if (tuple.length !== 1 || tuple[0].kind !== 'group')
        throw new Refusal(`INSERT into ${table}: unreadable VALUES`);
      const values = splitTopLevel(tuple[0].items, (t) => isPunct(t, ','));
      if (!isBrandParam(values[position] ?? [])) {
        throw new Refusal(`INSERT into ${table} must give brand_id the value $1`);
      }
    }
    return;
  }
  if (isWord(tokens[i], 'select')) {
    const fromAt = indexOfWord(tokens, i + 1, ['from', 'where', 'on', 'returning', 'union']);
    let list = tokens.slice(i + 1, fromAt);
    if (isWord(list[0], 'distinct', 'all')) list = list.slice(1);
    const items = splitTopLevel(list, (t) => isPunct(t, ','));
    const item = items[position] ?? [];
    const value = isWord(item[item.length - 2], 'as') ? item.slice(0, -2) : item;
    if (!isBrandParam(value)) throw new Refusal(`INSERT into ${table} ... SELECT must select $1 as brand_id`);
    analyzeQuery(tokens.slice(i, indexOfWord(tokens, i + 1, ['on', 'returning'])));
    return;
  }
  throw new Refusal(`INSERT into ${table} must give brand_id the value $1`);
}

/** Analyzes one query level (direct tokens only; groups are visited separately). */
function analyzeQuery(tokens: Token[]): void {
  let start = 0;
  if (isWord(tokens[0], 'with')) {
    // WITH [RECURSIVE] name [(cols)] AS [NOT] [MATERIALIZED] (query) [, ...] main
    start = 1;
    if (isWord(tokens[start], 'recursive')) start++;
    for (;;) {
      start++; // name
      if (tokens[start]?.kind === 'group') start++;
      if (!isWord(tokens[start], 'as')) throw new Refusal('unreadable WITH clause');
      start++;
      while (isWord(tokens[start], 'not', 'materialized')) start++;
      if (tokens[start]?.kind !== 'group') throw new Refusal('unreadable WITH clause');
      start++;
      if (isPunct(tokens[start], ',')) {
        start++;
        continue;
      }
      break;
    }
  }
  const body = tokens.slice(start);
  const head = body[0];
  if (head === undefined) return;
  if (isWord(head, 'select', 'values')) {
    const parts = splitTopLevel(body, (t) => isWord(t, 'union', 'intersect', 'except'));
    for (const part of parts) {
      const p = isWord(part[0], 'all', 'distinct') ? part.slice(1) : part;
      if (p.length > 0 && p[0].kind === 'group') continue; // (SELECT ...) UNION (SELECT ...): visited as groups
      analyzeSelect(p);
    }
  } else if (isWord(head, 'update')) {
    analyzeUpdate(body);
  } else if (isWord(head, 'delete')) {
    analyzeDelete(body);
  } else if (isWord(head, 'insert')) {
    analyzeInsert(body);
  } else if (head.kind === 'group') {
    return;
  } else {
    const named = body.find((t) => t.kind === 'word' && isBrandScopedTable(t.value));
    if (named) {
      throw new Refusal(
        `${head.kind === 'word' ? head.value.toUpperCase() : 'statement'} on ${(named as { value: string }).value} cannot be brand-scoped`,
      );
    }
  }
}

function visit(tokens: Token[], isQuery: boolean): void {
  if (isQuery) analyzeQuery(tokens);
  for (const t of tokens) {
    if (t.kind === 'group') {
      visit(t.items, t.items.length > 0 && isWord(t.items[0], ...QUERY_STARTS));
    }
  }
}

/** Why `sql` would touch a brand-scoped table without `brand_id = $1`, or null when it is scoped. */
export function findUnscopedReason(sql: string): string | null {
  try {
    const all = tokenize(sql);
    const semicolon = all.findIndex((t) => isPunct(t, ';'));
    if (semicolon >= 0 && semicolon < all.length - 1) return 'one statement per call';
    const tokens = nest(semicolon >= 0 ? all.slice(0, semicolon) : all);
    visit(tokens, true);
    return null;
  } catch (err) {
    if (err instanceof Refusal) return err.message;
    throw err;
  }
}
