/** Types for check.js (plain CommonJS so the check runs with node alone). */
export interface Finding {
  file: string;
  /** 1-based line. */
  line: number;
  rule: 'static-sql' | 'dynamic-sql' | 'query-builder' | 'repository' | 'escape-hatch';
  message: string;
}

export interface CheckOptions {
  /** Entity class name -> table name; defaults to the entities of libs/database. */
  entities?: Map<string, string>;
}

export declare function checkSource(fileName: string, text: string, options?: CheckOptions): Finding[];
export declare function checkFile(fileName: string, options?: CheckOptions): Finding[];
export declare function checkFiles(files: string[]): Finding[];
export declare function collectFiles(roots: string[]): string[];
export declare const SCOPED_TABLES: ReadonlySet<string>;
export declare const ROOT: string;
