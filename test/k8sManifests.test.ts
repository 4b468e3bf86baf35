// deploy/k8s/*.yaml against what the server really exposes (there is no cluster here): every
// document parses with known kinds and API versions; the probes hit routes the app registers; the
// flags and LORALEDGER_* variables are the config schema's; ports and selectors line up; the
// grace period covers preStop + --shutdown-deadline; the EPP scrapes metric names /metrics serves
// and its profile enables lora-affinity-scorer; the HPA's metric is one /metrics serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { buildApp } from '../server/app.ts';
import { envOf, flagOf, loadConfig } from '../server/config.ts';
import { ConfigSchema, type ConfigKey } from '../server/configSchema.ts';
import { Metrics } from '../server/http/metrics.ts';
import { registerVllmGauges } from '../server/http/vllmMetrics.ts';

const DIR = new URL('../deploy/k8s/', import.meta.url).pathname;
const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const API: Record<string, string> = {
  Service: 'v1',
  ConfigMap: 'v1',
  ServiceAccount: 'v1',
  StatefulSet: 'apps/v1',
  Deployment: 'apps/v1',
  PodDisruptionBudget: 'policy/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  InferencePool: 'inference.networking.k8s.io/v1',
  HTTPRoute: 'gateway.networking.k8s.io/v1',
};

type Doc = Record<string, any>;
const docs: Doc[] = [];
for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml'))) {
  for (const d of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
    assert.deepEqual(d.errors, [], `${file}: ${d.errors.join('; ')}`);
    docs.push({ ...(d.toJS() as Doc), __file: file });
  }
}
const one = (kind: string, name?: string): Doc => {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata?.name === name));
  assert.equal(found.length, 1, `one ${kind} ${name ?? ''}`);
  return found[0]!;
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

test('every manifest parses, with a known kind and its API version', () => {
  assert.ok(docs.length >= 10);
  for (const d of docs) {
    assert.ok(d.kind in API, `${d.__file}: unexpected kind ${d.kind}`);
    assert.equal(d.apiVersion, API[d.kind], `${d.__file}: ${d.kind} apiVersion`);
    assert.ok(d.metadata?.name, `${d.__file}: ${d.kind} has a name`);
  }
});

test('the replica pods: probes hit real routes, flags and env are the schema, ports and selectors line up', async () => {
  const sts = one('StatefulSet', 'loraledger');
  const pod = sts.spec.template;
  assert.ok(matches(sts.spec.selector.matchLabels, pod.metadata.labels));
  const c = pod.spec.containers[0];
  const ports = new Map<string, number>(c.ports.map((p: Doc) => [p.name, p.containerPort]));
  const script: string = c.args.join(' ');
  const flags = new Set((Object.keys(ConfigSchema.properties) as ConfigKey[]).map((k) => `--${flagOf(k)}`));
  const used = script.match(/--[a-z][a-z0-9-]*/g) ?? [];
  assert.ok(used.length >= 8);
  for (const f of used) assert.ok(flags.has(f), `${f} is a server flag`);
  const envs = new Set((Object.keys(ConfigSchema.properties) as ConfigKey[]).map(envOf));
  for (const name of [...script.matchAll(/LORALEDGER_[A-Z_]+/g)].map((m) => m[0]).concat(c.env.map((e: Doc) => e.name)))
    if (name.startsWith('LORALEDGER_')) assert.ok(envs.has(name), `${name} is a server variable`);
  const port = Number(/--port (\d+)/.exec(script)![1]);
  assert.equal(ports.get('http'), port);
  assert.match(script, /--host 0\.0\.0\.0/);
  assert.match(script, /--replica-id "\$POD_NAME"/);

  // probes: the routes the app registers (built on stories260K, engine not started)
  const config = loadConfig({ argv: ['--model', MODEL, '--chain', 'off', '--log-level', 'silent'], env: {} });
  const app = await buildApp(config, { logger: false, attribution: null });
  try {
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const get = c[probe]?.httpGet;
      assert.ok(get, `${probe} is an httpGet`);
      assert.equal(ports.get(get.port) ?? get.port, port, `${probe} port`);
      assert.ok(app.hasRoute({ method: 'GET', url: get.path }), `${probe}: GET ${get.path} is a route`);
    }
  } finally {
    await app.close();
  }
  assert.equal(c.readinessProbe.httpGet.path, '/health');

  // drain: the grace period covers the preStop sleep and the server's shutdown deadline
  const sleep = Number(c.lifecycle.preStop.exec.command[1]);
  const deadline = Number(/--shutdown-deadline (\d+)/.exec(script)![1]);
  assert.ok(pod.spec.terminationGracePeriodSeconds > sleep + deadline, 'grace > preStop + --shutdown-deadline');

  for (const svc of docs.filter(
    (d) => d.kind === 'Service' && d.metadata.name.startsWith('loraledger') && d.metadata.name !== 'loraledger-epp',
  )) {
    assert.ok(matches(svc.spec.selector, pod.metadata.labels), `${svc.metadata.name} selects the pods`);
    assert.ok(ports.has(svc.spec.ports[0].targetPort), `${svc.metadata.name} targets a named container port`);
  }
  assert.equal(sts.spec.serviceName, one('Service', 'loraledger-headless').metadata.name);
  assert.equal(one('Service', 'loraledger-headless').spec.clusterIP, 'None');
  assert.ok(matches(one('PodDisruptionBudget').spec.selector.matchLabels, pod.metadata.labels));
  const pool = one('InferencePool');
  assert.ok(matches(pool.spec.selector.matchLabels, pod.metadata.labels));
  assert.equal(pool.spec.targetPorts[0].number, port);
});

test('EPP: lora-affinity-scorer in the scheduling profile, scraped metrics exist on /metrics, refs line up', async () => {
  const m = new Metrics({ topAdapters: 1 });
  registerVllmGauges(m.registry, { stats: () => null, maxLora: 1, modelName: 'm' });
  const served = new Set((await m.registry.getMetricsAsJSON()).map((x) => x.name));

  const epp = parse(one('ConfigMap', 'loraledger-epp-config').data['epp.yaml']) as Doc;
  assert.equal(epp.kind, 'EndpointPickerConfig');
  assert.equal(epp.apiVersion, 'inference.networking.x-k8s.io/v1alpha1');
  const types = new Set(epp.plugins.map((p: Doc) => p.name ?? p.type));
  assert.ok(types.has('lora-affinity-scorer'));
  for (const profile of epp.schedulingProfiles)
    for (const ref of profile.plugins) assert.ok(types.has(ref.pluginRef), `${ref.pluginRef} is declared`);
  const lora = epp.schedulingProfiles[0].plugins.find((p: Doc) => p.pluginRef === 'lora-affinity-scorer');
  assert.ok(lora && lora.weight > 0, 'lora-affinity-scorer is enabled in the default profile');

  const dep = one('Deployment', 'loraledger-epp');
  const args: string[] = dep.spec.template.spec.containers[0].args;
  const metricArgs = args.filter((a) => /-metric=/.test(a)).map((a) => a.split('=')[1]!);
  assert.equal(metricArgs.length, 3);
  for (const name of metricArgs) assert.ok(served.has(name), `${name} is served on /metrics`);
  assert.ok(args.includes('--pool-name=loraledger'));
  assert.ok(args.some((a) => a === '--config-file=/config/epp.yaml'));
  const pool = one('InferencePool');
  const eppSvc = one('Service', pool.spec.endpointPickerRef.name);
  assert.equal(eppSvc.spec.ports[0].port, pool.spec.endpointPickerRef.port.number);
  assert.ok(matches(eppSvc.spec.selector, dep.spec.template.metadata.labels));
  const grpc = dep.spec.template.spec.containers[0].ports.find((p: Doc) => p.name === eppSvc.spec.ports[0].targetPort);
  assert.equal(grpc.containerPort, Number(/--grpc-port=(\d+)/.exec(args.join(' '))![1]));
  const route = one('HTTPRoute');
  assert.deepEqual(route.spec.rules[0].backendRefs[0], {
    group: 'inference.networking.k8s.io',
    kind: 'InferencePool',
    name: pool.metadata.name,
  });

  const hpa = one('HorizontalPodAutoscaler');
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'loraledger' });
  assert.ok(served.has(hpa.spec.metrics[0].pods.metric.name), 'the HPA scales on a metric /metrics serves');
  assert.ok(hpa.spec.minReplicas >= 2);
});
