import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Starts built apps (`node dist/apps/<app>/main.js`) as real processes, the
 * way operators run them (CONTRACTS §10), and tears them down by PID.
 */
export const ROOT = join(__dirname, '..', '..');
export const APPS = ['gateway', 'player', 'player-worker', 'agent', 'agent-worker', 'admin', 'admin-worker'] as const;
export type AppName = (typeof APPS)[number];

export function builtEntry(app: string): string {
  const entry = join(ROOT, 'dist', 'apps', app, 'main.js');
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`npm run build\` before the e2e suites (npm test does)`);
  }
  return entry;
}

/** A minimal environment: PATH and HOME only, so the host's variables never leak into a test. */
export function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs an app expected to exit by itself (boot guard refusals); kills it after timeoutMs. */
export function runToExit(app: string, env: Record<string, string | undefined>, timeoutMs = 15_000): Promise<ExitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtEntry(app)], { env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface RunningApp {
  app: string;
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url}/health not healthy after ${timeoutMs} ms: ${last}`);
}

/** Spawns a built app on a free port and waits until /health answers 200. */
export async function startApp(app: string, env: Record<string, string | undefined>, port?: number): Promise<RunningApp> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [builtEntry(app)], {
    env: baseEnv({ HOST: '127.0.0.1', PORT: String(p), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const running: RunningApp = {
    app,
    child,
    port: p,
    url: `http://127.0.0.1:${p}`,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  try {
    await Promise.race([
      waitForHealth(running.url),
      exited.then((code) => {
        throw new Error(`${app} exited with ${code} before becoming healthy:\n${out}`);
      }),
    ]);
  } catch (err) {
    await running.stop('SIGKILL');
    throw err;
  }
  return running;
}
