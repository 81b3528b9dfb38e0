import type { MiddlewareConsumer, NestMiddleware, Type } from '@nestjs/common';
import { Logger, RequestMethod } from '@nestjs/common';

/**
 * Each app declares its middleware pipeline once, as an ordered list of named
 * steps, and applies it with `apply()`: Nest runs the classes in the order
 * given. The list can be introspected, so a boot-time assertion and a test
 * prove contracts such as "brand resolution runs before JWT auth" (gateway
 * seed T7-B5/T8-D2: a reorder would silently read the unprefixed session key).
 */
export interface PipelineStep {
  name: string;
  middleware: Type<NestMiddleware>;
}

export class MiddlewareOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MiddlewareOrderError';
  }
}

export class MiddlewarePipeline {
  private readonly steps: readonly PipelineStep[];

  constructor(steps: PipelineStep[]) {
    const seen = new Set<string>();
    for (const step of steps) {
      if (seen.has(step.name)) throw new MiddlewareOrderError(`duplicate pipeline step "${step.name}"`);
      seen.add(step.name);
    }
    this.steps = Object.freeze([...steps]);
  }

  names(): string[] {
    return this.steps.map((s) => s.name);
  }

  classes(): Type<NestMiddleware>[] {
    return this.steps.map((s) => s.middleware);
  }

  indexOf(name: string): number {
    return this.steps.findIndex((s) => s.name === name);
  }

  /** Throws unless both steps exist and `first` runs before `second`. */
  assertBefore(first: string, second: string): void {
    const a = this.indexOf(first);
    const b = this.indexOf(second);
    if (a < 0) throw new MiddlewareOrderError(`pipeline has no step "${first}"`);
    if (b < 0) throw new MiddlewareOrderError(`pipeline has no step "${second}"`);
    if (a >= b)
      throw new MiddlewareOrderError(
        `"${first}" must run before "${second}" (order: ${this.names().join(' → ')})`,
      );
  }

  /** Applies every step, in order, to every route except the excluded paths. */
  apply(consumer: MiddlewareConsumer, exclude: string[] = []): void {
    if (this.steps.length === 0) return;
    this.mount(consumer, this.classes(), exclude);
  }

  /**
   * The steps as ONE Fastify `onRequest` hook, run in the declared order on
   * the raw request and response, exactly where Nest would run them
   * (onRequest, before the body is read), for every path but the excluded
   * ones. Compared with apply(), Nest and middie no longer match the route
   * and wrap the call once per step and request (about a tenth of the
   * gateway's CPU per request). `resolve` gives the DI instance of a step
   * class: register `providers()` in the module and pass ModuleRef.get.
   */
  fastifyHook(
    resolve: (type: Type<NestMiddleware>) => NestMiddleware,
    exclude: string[] = [],
  ): OnRequestHook {
    const steps = this.classes().map((type) => resolve(type));
    const skipped = new Set(exclude);
    return (request, reply, done) => {
      const q = request.url.indexOf('?');
      const path = q >= 0 ? request.url.slice(0, q) : request.url;
      if (skipped.has(path) || skipped.has(path.replace(/\/+$/, ''))) {
        done();
        return;
      }
      // Steps fail with Error instances (Nest's contract for middleware); anything else is passed on as is.
      runStep(steps, 0, request.raw, reply.raw, done as Done);
    };
  }

  /** The step classes, to register as providers of the module whose hook runs them (fastifyHook). */
  providers(): Type<NestMiddleware>[] {
    return this.classes();
  }

  private mount(consumer: MiddlewareConsumer, classes: Type<NestMiddleware>[], exclude: string[]): void {
    const proxy = consumer.apply(...classes);
    const routed = exclude.length
      ? proxy.exclude(...exclude.map((path) => ({ path, method: RequestMethod.ALL })))
      : proxy;
    routed.forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}

type Done = (error?: unknown) => void;

/** The shape of a Fastify onRequest hook, without depending on Fastify here. */
export type OnRequestHook = (
  request: { raw: unknown; url: string },
  reply: { raw: unknown },
  done: (error?: Error) => void,
) => void;

const lateErrors = new Logger('MiddlewarePipeline');

/**
 * Runs steps[i] and, when it calls next(), the steps after it; a step that
 * throws or rejects before calling next() hands its error to `done`, like
 * Nest does for each middleware it mounts.
 */
function runStep(steps: NestMiddleware[], i: number, req: unknown, res: unknown, done: Done): void {
  if (i === steps.length) {
    done();
    return;
  }
  let called = false;
  const next: Done = (error) => {
    if (called) return;
    called = true;
    if (error !== undefined && error !== null) done(error);
    else runStep(steps, i + 1, req, res, done);
  };
  let result: unknown;
  try {
    result = steps[i].use(req, res, next);
  } catch (err) {
    // Thrown by a later step or the handler inside next(): not this step's to report.
    if (called) throw err;
    next(err);
    return;
  }
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    (result as Promise<unknown>).then(undefined, (err: unknown) => {
      if (!called) next(err);
      else
        lateErrors.error(
          { err: (err as Error)?.message ?? String(err) },
          'pipeline step failed after next()',
        );
    });
  }
}

/** Test helper: the order in which a pipeline will run its steps. */
export function pipelineOrder(pipeline: MiddlewarePipeline): string[] {
  return pipeline.names();
}
