/**
 * brand-scope-check: the static half of ADR-009's "every brand-scoped query
 * must include brand_id in its filter" (seed 004 T16-C: the classifier, with
 * its FIX-DYNAMIC class for `WHERE 1=1` builders such as logs.py). The
 * run-time half is scopedSql in libs/database; both read the table list from
 * libs/database/src/brand-scoped-tables.json.
 *
 * It walks the TypeScript AST of apps/ and libs/ (specs excluded) and reports:
 *  (a) static-sql     a SQL literal that reads or writes a brand-scoped table
 *                     without brand_id as its first WHERE predicate
 *                     (SELECT/UPDATE/DELETE) or in its column list (INSERT);
 *  (b) dynamic-sql    SQL assembled at run time (`WHERE 1=1` + appended
 *                     predicates, a conditions array joined with AND, a
 *                     `${table}` / `${where}` template) in a scope whose first
 *                     appended predicate is not a brand_id predicate;
 *  (c) query-builder  a TypeORM createQueryBuilder chain over a brand-scoped
 *                     entity or table without a brand_id condition;
 *  (d) repository     getRepository / InjectRepository / manager.find(...)
 *                     style access to a brand-scoped entity outside
 *                     libs/database (use Database.brandTransaction / brandRepo).
 * Escape hatch: `// brand-scope: cross-brand <reason>` on the line before the
 * statement (a reason is required). A SQL literal passed straight to
 * crossBrandSql(..., reason, sql) is explicit already (the call refuses an
 * empty reason at run time) and passes.
 *
 * Plain CommonJS on the installed `typescript` parser: no build step, no new
 * dependency.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '../..');
const SCOPED_TABLES = new Set(require('../../libs/database/src/brand-scoped-tables.json').tables);
const ENTITY_DIR = path.join(ROOT, 'libs/database/src/entities');
const DATABASE_LIB = path.join(ROOT, 'libs/database') + path.sep;

const DYN = '__dyn__';
const ESCAPE = /^\s*\/\/\s*brand-scope:\s*cross-brand\b(.*)$/;
/** SQL that sets what row-level security reads, or changes the role it applies to. */
const RLS_SETTING =
  /\bapp\.(?:brand_id|cross_brand)\b|\bset_config\s*\(|\brow_security\b|\bSET\s+(?:SESSION\s+|LOCAL\s+)?ROLE\b|\bSESSION\s+AUTHORIZATION\b|\bRESET\s+ROLE\b/i;
const LOOKS_LIKE_SQL =
  /\bselect\b[\s\S]*?\bfrom\b|\binsert\s+into\b|\bupdate\s+[\w."]+\s+set\b|\bdelete\s+from\b/i;
const BRAND_PREDICATE = /\bbrand_id\b|\bbrandId\b/;
const WHERE_ONE_EQ_ONE = /\bwhere\s+1\s*=\s*1\b/i;

const REPOSITORY_METHODS = new Set([
  'find',
  'findBy',
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findAndCount',
  'findAndCountBy',
  'count',
  'countBy',
  'exists',
  'existsBy',
  'sum',
  'average',
  'minimum',
  'maximum',
  'insert',
  'update',
  'updateAll',
  'upsert',
  'delete',
  'deleteAll',
  'softDelete',
  'restore',
  'save',
  'remove',
  'softRemove',
  'recover',
  'increment',
  'decrement',
  'clear',
  'preload',
]);
const REPOSITORY_FACTORIES = new Set(['getRepository', 'getTreeRepository', 'InjectRepository']);

/** Maps entity class names to table names from `@Entity('table')` decorators. */
function collectEntities(sourceFile, into) {
  const visit = (node) => {
    if (ts.isClassDeclaration(node) && node.name) {
      for (const decorator of ts.getDecorators(node) ?? []) {
        const call = decorator.expression;
        if (
          ts.isCallExpression(call) &&
          ts.isIdentifier(call.expression) &&
          call.expression.text === 'Entity' &&
          call.arguments.length > 0 &&
          ts.isStringLiteralLike(call.arguments[0])
        ) {
          into.set(node.name.text, call.arguments[0].text);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return into;
}

let defaultEntities = null;
function databaseEntities() {
  if (defaultEntities) return defaultEntities;
  defaultEntities = new Map();
  if (fs.existsSync(ENTITY_DIR)) {
    for (const file of fs.readdirSync(ENTITY_DIR)) {
      if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
      const full = path.join(ENTITY_DIR, file);
      collectEntities(parse(full, fs.readFileSync(full, 'utf8')), defaultEntities);
    }
  }
  return defaultEntities;
}

function parse(fileName, text) {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** `const NAME = 'literal'` declarations of a file, so `${NAME}` reads as its value. */
function fileConstants(sourceFile) {
  if (sourceFile.__brandScopeConstants) return sourceFile.__brandScopeConstants;
  const constants = new Map();
  for (const decl of descendants(sourceFile, (n) => ts.isVariableDeclaration(n))) {
    const list = decl.parent;
    if (
      ts.isIdentifier(decl.name) &&
      ts.isVariableDeclarationList(list) &&
      (list.flags & ts.NodeFlags.Const) !== 0 &&
      decl.initializer &&
      ts.isStringLiteralLike(decl.initializer)
    ) {
      constants.set(decl.name.text, decl.initializer.text);
    }
  }
  sourceFile.__brandScopeConstants = constants;
  return constants;
}

/** The text of a string-ish expression, with every run-time interpolation replaced by __dyn__. */
function stringText(node) {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    const constants = fileConstants(node.getSourceFile());
    const spanText = (e) => (ts.isIdentifier(e) && constants.has(e.text) ? constants.get(e.text) : DYN);
    return node.head.text + node.templateSpans.map((s) => spanText(s.expression) + s.literal.text).join('');
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = stringText(node.left);
    const right = stringText(node.right);
    if (left === null && right === null) return null;
    return (left ?? DYN) + (right ?? DYN);
  }
  if (ts.isParenthesizedExpression(node)) return stringText(node.expression);
  return null;
}

function isStringish(node) {
  return ts.isStringLiteralLike(node) || ts.isTemplateExpression(node);
}

/** Tables a SQL text reads or writes, with DYN for an interpolated table name. */
function sqlTables(sql) {
  const tables = [];
  const clean = sql.replace(/--[^\n]*/g, ' ').replace(/'(?:[^']|'')*'/g, "''");
  const re = /\b(from|join|update|into)\s+((?:only\s+)?)([\w."]+)/gi;
  let m;
  while ((m = re.exec(clean))) {
    const raw = m[3].replace(/"/g, '');
    const name = raw.includes('.') ? raw.slice(raw.lastIndexOf('.') + 1) : raw;
    tables.push(name.toLowerCase().startsWith(DYN) ? DYN : name.toLowerCase());
    // comma-separated FROM lists: FROM a x, b y
    if (m[1].toLowerCase() === 'from') {
      const rest = clean.slice(re.lastIndex);
      const end = rest.search(
        /\b(where|group|order|limit|offset|having|window|for|union|returning|join|on|set)\b|[()]/i,
      );
      const list = end < 0 ? rest : rest.slice(0, end);
      for (const item of list.split(',').slice(1)) {
        const first = /^\s*([\w."]+)/.exec(item);
        if (first) tables.push(first[1].replace(/"/g, '').toLowerCase());
      }
    }
  }
  return tables;
}

function statementKind(sql) {
  const m = /^\s*(?:with\b[\s\S]*?\)\s*)?(select|insert|update|delete)\b/i.exec(sql);
  if (m) return m[1].toLowerCase();
  if (/\binsert\s+into\b/i.test(sql)) return 'insert';
  if (/\bdelete\s+from\b/i.test(sql)) return 'delete';
  if (/\bupdate\s+[\w."]+\s+set\b/i.test(sql)) return 'update';
  return 'select';
}

function nearestScope(node) {
  let current = node.parent;
  while (current && !ts.isSourceFile(current) && !ts.isFunctionLike(current)) current = current.parent;
  return current ?? node.getSourceFile();
}

/** The statement (or class member) that contains `node`, for the escape-hatch comment. */
function enclosingStatement(node) {
  let current = node;
  while (current.parent) {
    const p = current.parent;
    if (
      ts.isBlock(p) ||
      ts.isSourceFile(p) ||
      ts.isModuleBlock(p) ||
      ts.isCaseClause(p) ||
      ts.isDefaultClause(p) ||
      ts.isClassLike(p)
    ) {
      return current;
    }
    current = p;
  }
  return current;
}

function lineOf(sourceFile, pos) {
  return sourceFile.getLineAndCharacterOfPosition(pos).line;
}

function descendants(root, predicate) {
  const found = [];
  const visit = (node) => {
    if (predicate(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

function calleeName(call) {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return null;
}

function receiverName(call) {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression))
    return callee.expression.text;
  return null;
}

/**
 * Predicate builders in a scope: arrays joined with AND (`conditions.join(' AND ')`)
 * and string accumulators extended with `+= ' AND ...'`. For each, whether
 * its FIRST predicate (initializer element, push or append, in source order)
 * pins brand_id.
 */
function scopeBuilders(scope) {
  const builders = [];
  const joins = descendants(
    scope,
    (n) =>
      ts.isCallExpression(n) &&
      calleeName(n) === 'join' &&
      receiverName(n) !== null &&
      n.arguments.length === 1 &&
      ts.isStringLiteralLike(n.arguments[0]) &&
      /^\s*and\s*$/i.test(n.arguments[0].text),
  );
  const seen = new Set();
  for (const join of joins) {
    const name = receiverName(join);
    if (seen.has(name)) continue;
    seen.add(name);
    const predicates = [];
    for (const decl of descendants(
      scope,
      (n) => ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name,
    )) {
      let init = decl.initializer;
      while (
        init &&
        (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init))
      )
        init = init.expression;
      if (init && ts.isArrayLiteralExpression(init)) {
        for (const element of init.elements)
          predicates.push({ pos: element.getStart(), text: stringText(element) ?? DYN });
      }
    }
    for (const push of descendants(
      scope,
      (n) => ts.isCallExpression(n) && calleeName(n) === 'push' && receiverName(n) === name,
    )) {
      for (const arg of push.arguments)
        predicates.push({ pos: arg.getStart(), text: stringText(arg) ?? DYN });
    }
    predicates.sort((a, b) => a.pos - b.pos);
    builders.push({
      kind: 'array',
      name,
      node: join,
      pinned: predicates.length > 0 && BRAND_PREDICATE.test(predicates[0].text),
    });
  }
  const appends = descendants(
    scope,
    (n) =>
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken &&
      stringText(n.right) !== null &&
      /^\s*(and|or)\b/i.test(stringText(n.right)),
  ).sort((a, b) => a.getStart() - b.getStart());
  if (appends.length > 0) {
    builders.push({
      kind: 'append',
      name: appends[0].left.getText(),
      node: appends[0],
      pinned: BRAND_PREDICATE.test(stringText(appends[0].right)),
    });
  }
  return builders;
}

/** Checks one source file; returns findings `{ file, line, rule, message }` (line is 1-based). */
function checkSource(fileName, text, options = {}) {
  const sourceFile = parse(fileName, text);
  const entities = new Map([...(options.entities ?? databaseEntities())]);
  collectEntities(sourceFile, entities);
  const scopedEntity = (node) => {
    if (!node) return null;
    if (ts.isIdentifier(node)) {
      const table = entities.get(node.text);
      return table && SCOPED_TABLES.has(table) ? table : null;
    }
    if (ts.isStringLiteralLike(node)) return SCOPED_TABLES.has(node.text) ? node.text : null;
    return null;
  };
  const insideDatabaseLib = path.resolve(fileName).startsWith(DATABASE_LIB);
  const lines = text.split('\n');
  const findings = [];
  const reported = new Set();
  const builderCache = new Map();
  const buildersOf = (scope) => {
    if (!builderCache.has(scope)) builderCache.set(scope, scopeBuilders(scope));
    return builderCache.get(scope);
  };

  const escapeFor = (node) => {
    const candidates = new Set([
      lineOf(sourceFile, enclosingStatement(node).getStart()) - 1,
      lineOf(sourceFile, node.getStart()) - 1,
    ]);
    for (const index of candidates) {
      const match = index >= 0 ? ESCAPE.exec(lines[index]) : null;
      if (match) return { line: index + 1, reason: match[1].trim() };
    }
    return null;
  };

  const report = (node, rule, message) => {
    const line = lineOf(sourceFile, node.getStart()) + 1;
    const key = `${line}:${rule}`;
    if (reported.has(key)) return;
    const escape = escapeFor(node);
    if (escape && escape.reason.length > 0) return;
    reported.add(key);
    if (escape) {
      findings.push({
        file: fileName,
        line: escape.line,
        rule: 'escape-hatch',
        message: 'brand-scope: cross-brand needs a reason',
      });
    }
    findings.push({ file: fileName, line, rule, message });
  };

  const passedToCrossBrandSql = (node) => {
    let current = node;
    while (
      current.parent &&
      (ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent))
    )
      current = current.parent;
    const call = current.parent;
    if (!call || !ts.isCallExpression(call) || calleeName(call) !== 'crossBrandSql') return false;
    // crossBrandSql(executor, reason, sql) or db.crossBrandSql(reason, sql): the SQL follows its reason
    const index = call.arguments.indexOf(current);
    const reason = index > 0 ? call.arguments[index - 1] : undefined;
    if (!reason) return false;
    return !(ts.isStringLiteralLike(reason) && reason.text.trim().length === 0);
  };

  // (a) and (b): SQL text
  // one dynamic-sql finding per scope: the builder is one defect however many literals it feeds
  const dynamicReported = new Set();
  const reportDynamic = (scope, node, message) => {
    if (dynamicReported.has(scope)) return;
    dynamicReported.add(scope);
    report(node, 'dynamic-sql', message);
  };

  const checkSql = (node, sql) => {
    const isSql = LOOKS_LIKE_SQL.test(sql);
    const oneEqOne = WHERE_ONE_EQ_ONE.test(sql);
    if (!isSql && !oneEqOne) return;
    const scope = nearestScope(node);
    const builders = buildersOf(scope);
    const scopePinned = builders.length > 0 && builders.every((b) => b.pinned);
    if (!isSql) {
      // a `WHERE 1=1` seed for predicates appended later (the logs.py shape)
      if (/\bwhere\s+1\s*=\s*1\s+and\s+brand_id\b/i.test(sql) || scopePinned || passedToCrossBrandSql(node))
        return;
      reportDynamic(scope, node, 'WHERE 1=1 builder whose first appended predicate is not brand_id');
      return;
    }
    const tables = sqlTables(sql);
    const scoped = tables.filter((t) => SCOPED_TABLES.has(t));
    const dynamicTable = tables.includes(DYN);
    if (scoped.length === 0 && !dynamicTable) return;
    if (passedToCrossBrandSql(node)) return;
    const what = scoped.length > 0 ? scoped.join(', ') : 'a table named at run time';
    const kind = statementKind(sql);

    if (kind === 'insert') {
      const m = /\binsert\s+into\s+[\w."]+\s*\(([^)]*)\)/i.exec(sql);
      if (scoped.length === 0) return;
      if (m && /\bbrand_id\b/.test(m[1])) return;
      if (m && !m[1].includes(DYN)) {
        report(node, 'static-sql', `INSERT into ${what} without brand_id in its column list`);
      } else if (!BRAND_PREDICATE.test(sql)) {
        reportDynamic(
          scope,
          node,
          `INSERT into ${what} with a run-time column list that never names brand_id`,
        );
      }
      return;
    }

    if (WHERE_ONE_EQ_ONE.test(sql)) {
      const after = sql.slice(sql.search(WHERE_ONE_EQ_ONE));
      if (/^where\s+1\s*=\s*1\s+and\s+brand_id\b/i.test(after)) return;
      if (!scopePinned)
        reportDynamic(
          scope,
          node,
          `WHERE 1=1 builder over ${what}: the first appended predicate is not brand_id`,
        );
      return;
    }

    // the WHERE that follows the first brand-scoped table must start with the brand pin (T16-A)
    const firstScoped = scoped.length > 0 ? sql.search(new RegExp(`\\b${scoped[0]}\\b`, 'i')) : 0;
    const whereAt = sql.slice(firstScoped).search(/\bwhere\b/i);
    const where = whereAt < 0 ? '' : sql.slice(firstScoped + whereAt);
    if (/^where\s+(?:\(\s*)?(?:[\w"]+\.)?"?brand_id"?\s*(?:=|in\b)/i.test(where)) return;
    if (/\bbrand_id\b/.test(where) && !where.includes(DYN)) {
      report(
        node,
        'static-sql',
        `${kind.toUpperCase()} on ${what}: brand_id must be the first WHERE predicate`,
      );
      return;
    }
    if (where.includes(DYN) || dynamicTable) {
      if (!scopePinned)
        reportDynamic(
          scope,
          node,
          `run-time SQL over ${what}: no predicate builder in this scope starts with brand_id`,
        );
      return;
    }
    report(node, 'static-sql', `${kind.toUpperCase()} on ${what} without brand_id in WHERE`);
  };

  // (c): query-builder chains
  const checkQueryBuilder = (call) => {
    // the whole chain: climb while this call is the receiver of another method call
    let top = call;
    const methods = [{ name: 'createQueryBuilder', args: call.arguments }];
    while (
      top.parent &&
      ts.isPropertyAccessExpression(top.parent) &&
      top.parent.expression === top &&
      top.parent.parent &&
      ts.isCallExpression(top.parent.parent)
    ) {
      top = top.parent.parent;
      methods.push({ name: top.expression.name.text, args: top.arguments });
    }
    // a builder kept in a variable: include later `qb.where(...)` calls in the same scope
    let holder = top.parent;
    while (holder && (ts.isAwaitExpression(holder) || ts.isParenthesizedExpression(holder)))
      holder = holder.parent;
    if (holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) {
      const name = holder.name.text;
      for (const use of descendants(
        nearestScope(call),
        (n) => ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression),
      )) {
        let root = use.expression.expression;
        while (ts.isCallExpression(root) && ts.isPropertyAccessExpression(root.expression))
          root = root.expression.expression;
        if (ts.isIdentifier(root) && root.text === name)
          methods.push({ name: use.expression.name.text, args: use.arguments });
      }
    }
    const targets = [];
    const first = call.arguments[0];
    if (first && !ts.isStringLiteralLike(first)) targets.push(scopedEntity(first));
    for (const m of methods) {
      if (
        [
          'from',
          'into',
          'update',
          'delete',
          'innerJoin',
          'leftJoin',
          'innerJoinAndSelect',
          'leftJoinAndSelect',
        ].includes(m.name)
      ) {
        targets.push(scopedEntity(m.args[0]));
      }
    }
    const scoped = targets.filter(Boolean);
    if (scoped.length === 0) return;
    const argsText = (names) =>
      methods
        .filter((m) => names.includes(m.name))
        .flatMap((m) => m.args.map((a) => a.getText()))
        .join(' ');
    const isInsert = methods.some((m) => m.name === 'insert');
    const pinned = isInsert
      ? BRAND_PREDICATE.test(argsText(['values']))
      : BRAND_PREDICATE.test(argsText(['where', 'andWhere']));
    if (!pinned) {
      const at = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call;
      report(
        at,
        'query-builder',
        `createQueryBuilder over ${[...new Set(scoped)].join(', ')} without a brand_id condition`,
      );
    }
  };

  // (d): direct repository / manager access
  const checkRepository = (call) => {
    if (insideDatabaseLib) return;
    const name = calleeName(call);
    if (REPOSITORY_FACTORIES.has(name)) {
      const table = scopedEntity(call.arguments[0]);
      if (table)
        report(
          call,
          'repository',
          `${name}(${call.arguments[0].getText()}) bypasses the brand-scoped repository (${table})`,
        );
      return;
    }
    if (REPOSITORY_METHODS.has(name) && ts.isPropertyAccessExpression(call.expression)) {
      const table = scopedEntity(call.arguments[0]);
      if (table && ts.isIdentifier(call.arguments[0])) {
        report(
          call,
          'repository',
          `.${name}(${call.arguments[0].getText()}, ...) bypasses the brand-scoped repository (${table})`,
        );
      }
    }
  };

  // Row-level security (issue #8) keys on settings only libs/database may touch: brandTransaction
  // sets app.brand_id, crossBrandSql sets app.cross_brand, both transaction-locally. A statement
  // elsewhere could set them for a whole pooled session or switch roles; no escape comment excuses it.
  const checkRlsSetting = (node, text) => {
    if (!RLS_SETTING.test(text)) return;
    const line = lineOf(sourceFile, node.getStart()) + 1;
    if (reported.has(`${line}:rls-setting`)) return;
    reported.add(`${line}:rls-setting`);
    findings.push({
      file: fileName,
      line,
      rule: 'rls-setting',
      message: 'row-level security settings and role switches belong to libs/database (brandTransaction, crossBrandSql)',
    });
  };

  const visit = (node) => {
    if (
      isStringish(node) ||
      (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
    ) {
      const parentIsConcat =
        node.parent &&
        ts.isBinaryExpression(node.parent) &&
        node.parent.operatorToken.kind === ts.SyntaxKind.PlusToken;
      const text = stringText(node);
      if (
        !parentIsConcat &&
        text !== null &&
        !ts.isImportDeclaration(node.parent) &&
        !ts.isExportDeclaration(node.parent)
      ) {
        checkSql(node, text);
        if (!insideDatabaseLib) checkRlsSetting(node, text);
      }
    }
    if (ts.isCallExpression(node)) {
      if (calleeName(node) === 'createQueryBuilder') checkQueryBuilder(node);
      else checkRepository(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return findings.sort((a, b) => a.line - b.line);
}

function checkFile(fileName, options = {}) {
  return checkSource(fileName, fs.readFileSync(fileName, 'utf8'), options);
}

/** The .ts files under `roots`, without specs, declarations and node_modules. */
function collectFiles(roots) {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ts$/.test(entry.name) && !/\.(spec|e2e-spec|d)\.ts$/.test(entry.name)) files.push(full);
    }
  };
  for (const root of roots) {
    if (fs.existsSync(root) && fs.statSync(root).isDirectory()) walk(root);
    else if (fs.existsSync(root)) files.push(root);
  }
  return files.sort();
}

/** Checks files (entities declared in any of them are known to all). */
function checkFiles(files) {
  const entities = new Map(databaseEntities());
  for (const file of files) collectEntities(parse(file, fs.readFileSync(file, 'utf8')), entities);
  return files.flatMap((file) => checkFile(file, { entities }));
}

module.exports = { checkSource, checkFile, checkFiles, collectFiles, SCOPED_TABLES, ROOT };
