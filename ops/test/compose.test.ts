/**
 * ops/compose.yaml, checked structurally (Docker cannot run in the test environment): the nine
 * services are there with pinned images, every file it mounts exists, every config file a service
 * is started with is mounted from a file of ops/, and the services' configs point at each other's
 * real names and ports (Prometheus → hub and Alertmanager, Alertmanager → hub with the token
 * secret, hub → collector → Tempo and Loki, Grafana → all of them).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { opsPath, readYaml } from './support/assets.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: string[];
  depends_on?: string[] | Record<string, unknown>;
  ports?: string[];
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { environment?: string; file?: string }>;
}

const compose = readYaml<Compose>('compose.yaml');
const services = compose.services;
const root = resolve(opsPath(), '..');

/** `source:target[:mode]` of a service's volumes, bind mounts resolved against ops/. */
function mounts(s: Service) {
  return (s.volumes ?? []).map((v) => {
    const [source, target] = v.split(':') as [string, string];
    const bind = source.startsWith('.') || source.startsWith('/');
    return { source, target, bind, path: bind ? resolve(opsPath(), source) : undefined };
  });
}

/** The ops/ file mounted at `target` inside a service (through a file or a directory mount). */
function hostFileOf(s: Service, target: string): string | undefined {
  for (const m of mounts(s)) {
    if (!m.bind) continue;
    if (target === m.target) return m.path;
    if (target.startsWith(`${m.target}/`)) return join(m.path!, target.slice(m.target.length + 1));
  }
  return undefined;
}

const args = (s: Service) => [s.command ?? [], s.entrypoint ?? []].flat().join(' ');

/** `host:port` → [service, port] for a URL or an endpoint. */
function hostPort(url: string): [string, number] {
  const m = /^(?:[a-z]+:\/\/)?([a-z0-9-]+):(\d+)/.exec(url);
  assert.ok(m, `no host:port in ${url}`);
  return [m[1]!, Number(m[2])];
}

function assertService(url: string, port: number, what: string) {
  const [host, p] = hostPort(url);
  assert.ok(services[host], `${what}: ${host} is not a compose service`);
  assert.equal(p, port, `${what}: ${url}`);
}

describe('ops/compose.yaml (structure; Docker is not run here)', () => {
  test('the whole stack, each image pinned to a version', () => {
    for (const name of [
      'hub',
      'postgres',
      'nats',
      'otel-collector',
      'prometheus',
      'alertmanager',
      'tempo',
      'loki',
      'grafana',
    ]) {
      assert.ok(services[name], `service ${name}`);
    }
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      assert.match(s.image ?? '', /^[\w./-]+:v?\d[\w.-]*$/, `${name} image pinned by tag`);
    }
  });

  test('the hub is built from the repository Dockerfile (node 20, npm ci, build, up)', () => {
    const hub = services.hub!;
    assert.ok(hub.build, 'built, not pulled');
    const dockerfile = resolve(opsPath(), hub.build.context, hub.build.dockerfile ?? 'Dockerfile');
    assert.equal(dockerfile, join(root, 'Dockerfile'));
    const text = readFileSync(dockerfile, 'utf8');
    assert.match(text, /^FROM node:20[\w.-]* AS build$/m);
    assert.match(text, /RUN npm ci\b/);
    assert.match(text, /npm run build/);
    assert.match(text, /ENTRYPOINT \["node", "packages\/hub\/bin\/commandcenter\.mjs"\]/);
    assert.match(text, /CMD \["up"\]/);
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const copied of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of copied[1]!.split(' ')) {
        if (src === '.') continue;
        assert.ok(existsSync(join(root, src)), `COPY ${src} exists`);
        assert.ok(!ignored.includes(src), `COPY ${src} is not in .dockerignore`);
      }
    }
    assert.match(hub.environment?.CC_HOST ?? '', /^0\.0\.0\.0$/, 'listens beyond loopback');
  });

  test('every mounted file exists; named volumes, secrets and dependencies are declared', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const m of mounts(s)) {
        if (m.bind) assert.ok(existsSync(m.path!), `${name}: ${m.source} does not exist`);
        else
          assert.ok(compose.volumes && m.source in compose.volumes, `${name}: volume ${m.source}`);
      }
      for (const secret of s.secrets ?? [])
        assert.ok(compose.secrets?.[secret], `secret ${secret}`);
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) assert.ok(services[d], `${name} depends on unknown ${d}`);
    }
  });

  test("every service's config file is a mounted file of ops/", () => {
    const configs: [string, RegExp][] = [
      ['prometheus', /--config\.file=(\S+)/],
      ['alertmanager', /--config\.file=(\S+)/],
      ['otel-collector', /--config=(\S+)/],
      ['tempo', /-config\.file=(\S+)/],
      ['loki', /-config\.file=(\S+)/],
    ];
    for (const [name, flag] of configs) {
      const inside = flag.exec(args(services[name]!))?.[1];
      assert.ok(inside, `${name} is started with its config file`);
      const host = hostFileOf(services[name]!, inside);
      assert.ok(
        host && existsSync(host) && statSync(host).isFile(),
        `${name}: ${inside} → ${host}`,
      );
      assert.ok(host.startsWith(opsPath()), `${name}'s config is shipped in ops/`);
    }
    const grafana = services.grafana!;
    for (const dir of ['datasources', 'dashboards']) {
      const host = hostFileOf(grafana, `/etc/grafana/provisioning/${dir}`);
      assert.ok(host && readdirSync(host).some((f) => f.endsWith('.yaml')), `grafana ${dir}`);
    }
  });

  test('Prometheus loads the shipped rules, scrapes the hub and alerts through Alertmanager', () => {
    const prometheus = services.prometheus!;
    const config = readYaml<{
      rule_files: string[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    }>('prometheus', 'prometheus.yml');
    for (const glob of config.rule_files) {
      const dir = hostFileOf(prometheus, dirname(glob));
      assert.ok(dir, `${glob} is mounted`);
      const suffix = glob.slice(glob.lastIndexOf('*') + 1);
      const found = readdirSync(dir).filter((f) => f.endsWith(suffix));
      assert.deepEqual(found.sort(), ['alerts.yml', 'slo.yml']);
    }
    const job = config.scrape_configs.find((j) => j.job_name === 'commandcenter')!;
    assertService(
      job.static_configs[0]!.targets[0]!,
      Number(services.hub!.environment!.CC_PORT),
      'scrape',
    );
    assertService(
      config.alerting.alertmanagers[0]!.static_configs[0]!.targets[0]!,
      9093,
      'alerting',
    );
  });

  test('Alertmanager posts to the hub with the token of a compose secret', () => {
    const config = readYaml<{
      receivers: { webhook_configs?: { url: string; http_config: any }[] }[];
    }>('alertmanager', 'alertmanager.yml');
    const hooks = config.receivers.flatMap((r) => r.webhook_configs ?? []);
    assert.ok(hooks.length > 0);
    for (const w of hooks) {
      assertService(w.url, Number(services.hub!.environment!.CC_PORT), 'webhook');
      const file: string = w.http_config.authorization.credentials_file;
      const secret = /^\/run\/secrets\/(.+)$/.exec(file)?.[1];
      assert.ok(secret && services.alertmanager!.secrets?.includes(secret), file);
      assert.equal(compose.secrets?.[secret]?.environment, 'CC_ADMIN_TOKEN');
    }
  });

  test('spans and logs flow hub → collector → Tempo and Loki', () => {
    const collector = readYaml<{
      receivers: Record<string, any>;
      processors: Record<string, unknown>;
      exporters: Record<string, any>;
      extensions?: Record<string, unknown>;
      service: { extensions?: string[]; pipelines: Record<string, Record<string, string[]>> };
    }>('otel-collector', 'config.yaml');
    for (const [name, p] of Object.entries(collector.service.pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const c of p[kind] ?? []) {
          assert.ok(collector[kind][c] !== undefined, `pipeline ${name}: ${kind} ${c} is defined`);
        }
      }
    }
    assert.deepEqual(Object.keys(collector.service.pipelines).sort(), ['logs', 'traces']);
    const http = collector.receivers.otlp.protocols.http.endpoint as string;
    assertService(
      services.hub!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT!,
      Number(http.split(':')[1]),
      'hub → collector',
    );
    const tempo = readYaml<any>('tempo', 'tempo.yaml');
    const tempoGrpc = tempo.distributor.receivers.otlp.protocols.grpc.endpoint as string;
    assertService(
      collector.exporters['otlp/tempo'].endpoint,
      Number(tempoGrpc.split(':')[1]),
      'Tempo',
    );
    const loki = readYaml<any>('loki', 'loki.yaml');
    assertService(
      collector.exporters['otlphttp/loki'].endpoint,
      loki.server.http_listen_port,
      'Loki',
    );
  });

  test('Grafana reaches every data source at its compose name and port', () => {
    const tempo = readYaml<any>('tempo', 'tempo.yaml');
    const loki = readYaml<any>('loki', 'loki.yaml');
    const ports: Record<string, number> = {
      prometheus: 9090,
      tempo: tempo.server.http_listen_port,
      loki: loki.server.http_listen_port,
      alertmanager: 9093,
    };
    const { datasources } = readYaml<{ datasources: { uid: string; type: string; url: string }[] }>(
      'grafana',
      'provisioning',
      'datasources',
      'datasources.yaml',
    );
    assert.deepEqual(datasources.map((d) => d.type).sort(), Object.keys(ports).sort());
    for (const d of datasources) assertService(d.url, ports[d.type]!, `datasource ${d.uid}`);
    const provider = readYaml<{ providers: { options: { path: string } }[] }>(
      'grafana',
      'provisioning',
      'dashboards',
      'dashboards.yaml',
    ).providers[0]!;
    const dir = hostFileOf(services.grafana!, provider.options.path);
    assert.ok(dir && readdirSync(dir).filter((f) => f.endsWith('.json')).length === 5);
  });
});
