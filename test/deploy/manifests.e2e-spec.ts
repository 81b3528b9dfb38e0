/**
 * Deployment artefacts (issue 7, point 2) checked in CI, since no Docker
 * engine or cluster runs here: every manifest under deploy/k8s validates
 * against the Kubernetes API schemas (kubernetes-models), and the structural
 * rules operators rely on hold: readiness on /health, liveness on /healthz, Prometheus
 * scrape annotations, replicas, resources, non-root pods, images and ports
 * that match docker/Dockerfile targets, env vars that exist in .env.example
 * and that each app actually declares, secrets only from the Secret, and the
 * production boot-guard secrets wired for every app. docker/compose.yaml and
 * the built bundles (the runtime image has production dependencies only) are
 * checked the same way.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import {
  ENFORCEMENT_MODES,
  SERVICE_SPECS,
  type ServiceName,
  declaredVariables,
  guardProfile,
  isProductionEnv,
} from '@app/config';
import { COMMANDS } from '../../apps/cli/src/commands';
import { APPS, ROOT } from '../support/processes';

const K8S_DIR = join(ROOT, 'deploy', 'k8s');
const HTTP_APPS: ServiceName[] = ['gateway', 'player', 'agent', 'admin'];
const WORKERS: ServiceName[] = ['player-worker', 'agent-worker', 'admin-worker'];
const DB_APPS: readonly string[] = APPS.filter((a) => a !== 'gateway');
const SECRET_NAME = 'servers-v2-secrets';
const CONFIG_MAP_NAME = 'servers-v2-config';
/** Values that must only ever come from the Secret. */
const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'MIGRATION_DATABASE_URL',
  'DATABASE_SUPERUSER_URL',
  'REDIS_URL',
  'JWT_PRIVATE_KEY',
  'JWT_PUBLIC_KEYS',
  'JWT_KID',
  'AES_KEY',
  'AES_IV',
  'PASSWORD_SALT',
  'BRAND_SIGNING_KEY',
  'SECRET_KEY',
  'COOLSMS_API_KEY',
  'COOLSMS_API_SECRET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'INTERNAL_SERVICE_TOKEN_GATEWAY',
  'INTERNAL_SERVICE_TOKEN_AGENT',
  'INTERNAL_SERVICE_TOKEN_ADMIN',
  'INTERNAL_SERVICE_TOKEN_RECON',
  'INTERNAL_SERVICE_TOKEN_GAME',
  'INTERNAL_SERVICE_TOKEN_PROMOTION',
  'INTERNAL_SERVICE_TOKEN_ROLLING',
]);

type Obj = Record<string, any>;
interface Manifest {
  file: string;
  obj: Obj;
}
interface Validatable {
  validate(): void;
}

const MODELS: Record<string, new (data: any) => Validatable> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Pod': Pod,
  'v1/Namespace': Namespace,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** The manifests kustomization.yaml applies (top level of deploy/k8s). */
function manifestFiles(): string[] {
  return readdirSync(K8S_DIR)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .sort();
}

/** Operator tools applied by hand (deploy/k8s/tools), validated but not applied by kustomize. */
function toolFiles(): string[] {
  return readdirSync(join(K8S_DIR, 'tools'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join('tools', f))
    .sort();
}

function loadManifests(files: string[]): { manifests: Manifest[]; errors: string[] } {
  const manifests: Manifest[] = [];
  const errors: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8'))) {
      if (doc.errors.length > 0) {
        errors.push(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const obj = doc.toJS() as Obj | null;
      if (obj) manifests.push({ file, obj });
    }
  }
  return { manifests, errors };
}

/** `FROM x AS name` stages of docker/Dockerfile with their EXPOSE, CMD and ENTRYPOINT. */
interface Stage {
  name: string;
  expose: number[];
  cmd: string[] | null;
  entrypoint: string[] | null;
}
function dockerStages(): Map<string, Stage> {
  const stages = new Map<string, Stage>();
  let current: Stage | null = null;
  const text = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  for (const line of text.split('\n').map((l) => l.trim())) {
    const from = /^FROM\s+\S+\s+AS\s+([a-z0-9-]+)$/i.exec(line);
    if (from) {
      const parent = /^FROM\s+(\S+)/i.exec(line)?.[1] ?? '';
      const base = stages.get(parent);
      current = { name: from[1], expose: [], cmd: base?.cmd ?? null, entrypoint: base?.entrypoint ?? null };
      stages.set(current.name, current);
      continue;
    }
    if (!current) continue;
    const expose = /^EXPOSE\s+(\d+)/i.exec(line);
    if (expose) current.expose.push(Number(expose[1]));
    const cmd = /^CMD\s+(\[.*\])$/i.exec(line);
    if (cmd) current.cmd = JSON.parse(cmd[1]) as string[];
    const entry = /^ENTRYPOINT\s+(\[.*\])$/i.exec(line);
    if (entry) current.entrypoint = JSON.parse(entry[1]) as string[];
  }
  return stages;
}

function envExampleNames(): Set<string> {
  return new Set(
    readFileSync(join(ROOT, '.env.example'), 'utf8')
      .split('\n')
      .map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined),
  );
}

const { manifests, errors: yamlErrors } = loadManifests(manifestFiles());
const tools = loadManifests(toolFiles());
const stages = dockerStages();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const byKind = (kind: string) => manifests.filter((m) => m.obj.kind === kind);
const deployment = (app: string) => byKind('Deployment').find((m) => m.obj.metadata?.name === app)?.obj;
const containerOf = (workload: Obj): Obj => workload.spec.template.spec.containers[0];
const envOf = (container: Obj): Obj[] => container.env ?? [];
const envValue = (container: Obj, name: string) => envOf(container).find((e) => e.name === name);
const imageTarget = (image: string) => /^servers-v2\/([a-z0-9-]+):([\w.-]+)$/.exec(image);

describe('deploy/k8s manifests', () => {
  it('parse as YAML and validate against the Kubernetes API schemas (tools/ included)', () => {
    expect([...yamlErrors, ...tools.errors]).toEqual([]);
    expect(manifests.length).toBeGreaterThanOrEqual(APPS.length + HTTP_APPS.length + 3);
    expect(tools.manifests.map((m) => m.obj.kind)).toEqual(['Pod']);
    const problems: string[] = [];
    for (const { file, obj } of [...manifests, ...tools.manifests]) {
      const key = `${obj.apiVersion}/${obj.kind}`;
      const Model = MODELS[key];
      if (!Model) {
        problems.push(`${file}: no schema for ${key}`);
        continue;
      }
      try {
        new Model(obj).validate();
      } catch (err) {
        problems.push(`${file} ${obj.kind}/${obj.metadata?.name}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('are listed, all of them and nothing else, in kustomization.yaml', () => {
    const kustomization = parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as Obj;
    expect(kustomization.kind).toBe('Kustomization');
    expect(kustomization.namespace).toBe('servers-v2');
    expect([...kustomization.resources].sort()).toEqual(manifestFiles());
    expect(byKind('Namespace').map((m) => m.obj.metadata.name)).toEqual(['servers-v2']);
  });

  it('give every app a Deployment, a Service and a PodDisruptionBudget to the HTTP apps only, and one migration Job', () => {
    expect(
      byKind('Deployment')
        .map((m) => m.obj.metadata.name)
        .sort(),
    ).toEqual([...APPS].sort());
    expect(
      byKind('Service')
        .map((m) => m.obj.metadata.name)
        .sort(),
    ).toEqual([...HTTP_APPS].sort());
    expect(
      byKind('PodDisruptionBudget')
        .map((m) => m.obj.metadata.name)
        .sort(),
    ).toEqual([...HTTP_APPS].sort());
    expect(byKind('Job').map((m) => m.obj.metadata.name)).toEqual(['servers-v2-migrate']);
    for (const app of HTTP_APPS) {
      const svc = byKind('Service').find((m) => m.obj.metadata.name === app)!.obj;
      const labels = deployment(app)!.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(svc.spec.selector as Record<string, string>))
        expect(labels[k]).toBe(v);
      const pdb = byKind('PodDisruptionBudget').find((m) => m.obj.metadata.name === app)!.obj;
      expect(pdb.spec.selector.matchLabels).toEqual(deployment(app)!.spec.selector.matchLabels);
    }
  });

  // Readiness is /health (every dependency); liveness and startup are /healthz, so a Redis or
  // PostgreSQL outage or a failed job run takes pods out of rotation instead of restarting them all.
  it.each(APPS)(
    '%s: readiness probes hit /health, liveness and startup probes /healthz, on the http port',
    (app) => {
      const container = containerOf(deployment(app)!);
      const paths = { readinessProbe: '/health', livenessProbe: '/healthz', startupProbe: '/healthz' };
      for (const [probe, path] of Object.entries(paths)) {
        expect({ probe, httpGet: container[probe]?.httpGet }).toEqual({
          probe,
          httpGet: { path, port: 'http' },
        });
      }
      expect(container.ports).toEqual([expect.objectContaining({ name: 'http' })]);
    },
  );

  it.each(APPS)('%s: Prometheus scrapes /metrics on the container port', (app) => {
    const template = deployment(app)!.spec.template;
    const port = containerOf(deployment(app)!).ports[0].containerPort;
    expect(template.metadata.annotations).toEqual(
      expect.objectContaining({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(port),
        'prometheus.io/path': '/metrics',
      }),
    );
  });

  it('run the stateless apps with at least two replicas and the admin worker alone (Recreate)', () => {
    for (const app of HTTP_APPS)
      expect({ app, replicas: deployment(app)!.spec.replicas >= 2 }).toEqual({ app, replicas: true });
    for (const app of WORKERS)
      expect({ app, replicas: deployment(app)!.spec.replicas }).toEqual({ app, replicas: 1 });
    expect(deployment('admin-worker')!.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('set resource requests and run every pod as non-root without privilege escalation', () => {
    for (const workload of [...byKind('Deployment'), ...byKind('Job'), ...tools.manifests]) {
      const pod = workload.obj.kind === 'Pod' ? workload.obj.spec : workload.obj.spec.template.spec;
      expect({ name: workload.obj.metadata.name, nonRoot: pod.securityContext?.runAsNonRoot }).toEqual({
        name: workload.obj.metadata.name,
        nonRoot: true,
      });
      for (const c of pod.containers as Obj[]) {
        expect(c.resources?.requests).toEqual(
          expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
        );
        expect(c.resources?.limits?.memory).toEqual(expect.any(String));
        expect(c.securityContext).toEqual(
          expect.objectContaining({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true }),
        );
      }
    }
  });

  it('use images and ports that match the docker/Dockerfile targets', () => {
    const tags = new Set<string>();
    for (const app of APPS) {
      const container = containerOf(deployment(app)!);
      const match = imageTarget(container.image);
      expect({ app, image: container.image, ok: match !== null }).toEqual({
        app,
        image: container.image,
        ok: true,
      });
      const [, target, tag] = match!;
      tags.add(tag);
      expect(target).toBe(app);
      const stage = stages.get(target);
      expect(stage).toBeDefined();
      expect(stage!.cmd).toEqual(['node', `dist/apps/${app}/main.js`]);
      expect(stage!.expose).toHaveLength(1);
      const port = stage!.expose[0];
      expect(container.ports[0].containerPort).toBe(port);
      expect(envValue(container, 'PORT')).toEqual({ name: 'PORT', value: String(port) });
      const svc = byKind('Service').find((m) => m.obj.metadata.name === app)?.obj;
      if (svc)
        expect(svc.spec.ports).toEqual([expect.objectContaining({ name: 'http', port, targetPort: 'http' })]);
    }
    const job = byKind('Job')[0].obj;
    const migrate = containerOf(job);
    const match = imageTarget(migrate.image);
    expect(match?.[1]).toBe('cli');
    tags.add(match![2]);
    expect(stages.get('cli')!.entrypoint).toEqual(['node', 'dist/apps/cli/main.js']);
    expect(migrate.args).toEqual(['migrate']);
    expect(Object.keys(COMMANDS)).toContain(migrate.args[0]);
    // issue #8: migrations run as the owner and grant the app role; both URLs come from the Secret
    for (const name of ['MIGRATION_DATABASE_URL', 'DATABASE_URL']) {
      expect(envValue(migrate, name)?.valueFrom?.secretKeyRef).toEqual({ name: SECRET_NAME, key: name });
    }
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect([...tags]).toEqual([pkg.version]);
  });

  it('reference only variables that exist in .env.example', () => {
    const known = envExampleNames();
    const referenced = new Set<string>();
    for (const { obj } of [...manifests, ...tools.manifests]) {
      if (obj.kind === 'ConfigMap') Object.keys(obj.data ?? {}).forEach((k) => referenced.add(k));
      const pod = obj.kind === 'Pod' ? obj.spec : obj.spec?.template?.spec;
      if (pod) {
        for (const c of pod.containers as Obj[]) {
          for (const e of envOf(c)) {
            referenced.add(e.name);
            const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
            if (ref) referenced.add(ref.key);
          }
        }
      }
    }
    expect([...referenced].filter((name) => !known.has(name)).sort()).toEqual([]);
    expect(referenced.size).toBeGreaterThan(30);
  });

  it('keep secrets out of the ConfigMap, never deploy the legacy shared token, and run production-grade', () => {
    const configMaps = byKind('ConfigMap');
    expect(configMaps.map((m) => m.obj.metadata.name)).toEqual([CONFIG_MAP_NAME]);
    const data = configMaps[0].obj.data as Record<string, string>;
    expect(
      Object.keys(data).filter((k) => SECRET_VARIABLES.has(k) || k.startsWith('INTERNAL_SERVICE_TOKEN')),
    ).toEqual([]);
    expect(data).not.toHaveProperty('RECOVERY_EXPOSE_TOKEN_FOR_TESTS');
    expect(data).not.toHaveProperty('MULTI_BRAND_ENFORCEMENT');
    expect(data.PER_CALLER_TOKEN_REQUIRED).toBe('on');
    expect(isProductionEnv(data)).toBe(true);
    const legacy = [...byKind('Deployment'), ...byKind('Job')].flatMap(({ obj }) =>
      (obj.spec.template.spec.containers as Obj[]).flatMap((c) =>
        envOf(c)
          .filter(
            (e) =>
              e.name === 'INTERNAL_SERVICE_TOKEN' ||
              e.valueFrom?.secretKeyRef?.key === 'INTERNAL_SERVICE_TOKEN',
          )
          .map(() => obj.metadata.name),
      ),
    );
    expect(legacy).toEqual([]);
  });

  it.each(APPS)(
    '%s: gets only variables its app declares, secrets from the Secret, and every secret its production boot guards need',
    (app) => {
      const container = containerOf(deployment(app)!);
      const declared = new Set(declaredVariables(SERVICE_SPECS[app].schema));
      const env = envOf(container);
      expect(env.map((e) => e.name).filter((n) => !declared.has(n))).toEqual([]);
      expect(new Set(env.map((e) => e.name)).size).toBe(env.length);
      expect(container.envFrom).toEqual([{ configMapRef: { name: CONFIG_MAP_NAME } }]);

      const mode = envValue(container, 'MULTI_BRAND_ENFORCEMENT');
      expect(ENFORCEMENT_MODES).toContain(mode?.value);

      for (const e of env) {
        if (!SECRET_VARIABLES.has(e.name)) continue;
        expect({
          name: e.name,
          value: e.value,
          secret: e.valueFrom?.secretKeyRef?.name,
          key: e.valueFrom?.secretKeyRef?.key,
        }).toEqual({
          name: e.name,
          value: undefined,
          secret: SECRET_NAME,
          key: e.name,
        });
      }
      const profile = guardProfile(app);
      const required = ['REDIS_URL'];
      if (DB_APPS.includes(app)) required.push('DATABASE_URL');
      // the owner's URL (BYPASSRLS) is for the migration Job only
      expect(envValue(container, 'MIGRATION_DATABASE_URL')).toBeUndefined();
      expect(envValue(container, 'DATABASE_SUPERUSER_URL')).toBeUndefined();
      if (profile.pii) required.push('AES_KEY', 'AES_IV', 'PASSWORD_SALT');
      if (profile.verifier) required.push('JWT_PUBLIC_KEYS');
      if (profile.issuer) required.push('JWT_PRIVATE_KEY', 'JWT_KID');
      required.push(...(profile.required ?? []));
      for (const name of required) {
        const ref = envValue(container, name)?.valueFrom?.secretKeyRef;
        expect({ name, wired: ref?.name === SECRET_NAME && ref?.optional !== true }).toEqual({
          name,
          wired: true,
        });
      }
      if (WORKERS.includes(app)) {
        expect(envValue(container, 'WORKER_HEARTBEAT_FILE')?.value).toMatch(/^\/tmp\//);
        expect(container.volumeMounts).toEqual(
          expect.arrayContaining([expect.objectContaining({ mountPath: '/tmp' })]),
        );
      }
    },
  );
});

describe('docker/compose.yaml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8'), { merge: true }) as Obj;
  const services = compose.services as Record<string, Obj>;

  it('runs PostgreSQL, Redis, the migration job and the seven apps', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'migrate', ...APPS]));
    expect(services.postgres.healthcheck.test).toEqual(
      expect.arrayContaining([expect.stringContaining('pg_isready')]),
    );
    expect(services.redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(services.migrate.build.target).toBe('cli');
    expect(services.migrate.command).toEqual(['migrate']);
    expect(services['db-setup'].command).toEqual(['db:setup']);
    expect(services['db-setup'].depends_on.postgres.condition).toBe('service_healthy');
    expect(services.migrate.depends_on['db-setup'].condition).toBe('service_completed_successfully');
    expect(services.migrate.environment.DATABASE_URL).not.toMatch(/\/\/postgres[:@]/);
  });

  it.each(APPS)('%s: builds its Dockerfile target and is health-checked on its own port', (app) => {
    const svc = services[app];
    const port = stages.get(app)!.expose[0];
    expect(svc.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile', target: app });
    expect(svc.image).toBe(`servers-v2/${app}:${pkg.version}`);
    expect(svc.env_file).toBe('../.env');
    expect(svc.environment.PORT).toBe(String(port));
    expect(svc.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${port}/health`);
    if (DB_APPS.includes(app))
      expect(svc.depends_on.migrate.condition).toBe('service_completed_successfully');
  });

  it('sets only variables that exist in .env.example', () => {
    const known = envExampleNames();
    const names = new Set<string>();
    for (const svc of Object.values(services)) {
      if (svc.image?.startsWith('servers-v2/'))
        Object.keys(svc.environment ?? {}).forEach((k) => names.add(k));
    }
    expect([...names].filter((n) => !known.has(n))).toEqual([]);
  });
});

describe('docker/Dockerfile runtime images', () => {
  const bare = (spec: string) =>
    spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  const builtins = new Set(builtinModules);

  it.each([...APPS, 'cli'])(
    '%s: the bundle requires only production dependencies (the image runs npm ci --omit=dev)',
    (app) => {
      const entry = join(ROOT, 'dist', 'apps', app, 'main.js');
      if (!existsSync(entry))
        throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
      const source = readFileSync(entry, 'utf8');
      const required = new Set([...source.matchAll(/require\("([^"./][^"]*)"\)/g)].map((m) => m[1]));
      const missing = [...required]
        .filter((spec) => !spec.startsWith('node:') && !builtins.has(spec))
        .map(bare)
        .filter((name) => !(name in pkg.dependencies));
      expect([...new Set(missing)]).toEqual([]);
      expect(required.size).toBeGreaterThan(0);
    },
  );
});
