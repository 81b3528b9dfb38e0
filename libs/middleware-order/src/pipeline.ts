import type { MiddlewareConsumer, NestMiddleware, Type } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';

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
    if (a >= b) throw new MiddlewareOrderError(`"${first}" must run before "${second}" (order: ${this.names().join(' → ')})`);
  }

  /** Applies every step, in order, to every route except the excluded paths. */
  apply(consumer: MiddlewareConsumer, exclude: string[] = []): void {
    if (this.steps.length === 0) return;
    const proxy = consumer.apply(...this.classes());
    const routed = exclude.length
      ? proxy.exclude(...exclude.map((path) => ({ path, method: RequestMethod.ALL })))
      : proxy;
    routed.forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}

/** Test helper: the order in which a pipeline will run its steps. */
export function pipelineOrder(pipeline: MiddlewarePipeline): string[] {
  return pipeline.names();
}
