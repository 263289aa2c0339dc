import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AccordConfig, loadConfig } from '@accord/config';
import {
  APPS,
  App,
  configVariableNames,
  containerPortNumber,
  documentedSecrets,
  isPinnedUpstreamImage,
  Json,
  kubectlKustomize,
  KUSTOMIZE_DIRS,
  name,
  parseYamlFile,
  podContainers,
  podSpec,
  readKustomization,
  render,
  renderKustomization,
  repoPathExists,
  resolveContainerEnv,
  ROOT,
  withoutNameHashes,
} from './support';

/** Static checks of the kustomize base and overlays (no cluster here; `kubectl kustomize` renders when installed). */
describe('deploy/k8s', () => {
  const yamlFiles = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(join(ROOT, path)).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });

  const secrets = documentedSecrets();
  /** The README's example values, with a stand-in where the example is a shell command. */
  const secretValues = new Map(
    [...secrets].map(([secret, keys]) => [
      secret,
      new Map([...keys].map(([key, value]) => [key, value.includes('$(') ? 'k'.repeat(48) : value])),
    ]),
  );

  it('parses every YAML file; every manifest has apiVersion, kind and a name', () => {
    const files = yamlFiles('deploy/k8s');
    expect(files.length).toBeGreaterThan(5);
    for (const file of files)
      for (const document of parseYamlFile(join(ROOT, file))) {
        expect({ file, apiVersion: typeof document.apiVersion, kind: typeof document.kind }).toEqual({
          file,
          apiVersion: 'string',
          kind: 'string',
        });
        if (document.kind !== 'Kustomization')
          expect({ file, name: typeof name(document) }).toEqual({ file, name: 'string' });
      }
  });

  it('lists only files and directories that exist in every kustomization', () => {
    for (const dir of Object.values(KUSTOMIZE_DIRS)) {
      const kustomization = readKustomization(dir);
      const paths = [
        ...((kustomization.resources as string[] | undefined) ?? []),
        ...((kustomization.patches as Json[] | undefined) ?? []).map((patch) => patch.path as string),
      ];
      for (const path of paths)
        expect({ dir, path, exists: repoPathExists(join(dir, path)) }).toEqual({ dir, path, exists: true });
    }
  });

  it('patches in the production overlay only resources and containers that the base has', () => {
    const base = renderKustomization(KUSTOMIZE_DIRS.base);
    const overlay = readKustomization(KUSTOMIZE_DIRS.production);
    for (const entry of overlay.patches as Json[]) {
      for (const patch of parseYamlFile(join(ROOT, KUSTOMIZE_DIRS.production, entry.path as string))) {
        const target = base.find((r) => r.kind === patch.kind && name(r) === name(patch));
        expect({ patch: `${patch.kind}/${name(patch)}`, found: target !== undefined }).toEqual({
          patch: `${patch.kind}/${name(patch)}`,
          found: true,
        });
        if (patch.kind !== 'Deployment' || !target) continue;
        const baseContainers = podContainers(target).map((c) => c.name);
        for (const container of podContainers(patch)) {
          expect(baseContainers).toContain(container.name);
          const baseEnv = (podContainers(target).find((c) => c.name === container.name)?.env as Json[]).map(
            (v) => v.name,
          );
          for (const variable of (container.env as Json[] | undefined) ?? [])
            if (variable.$patch === 'delete') expect(baseEnv).toContain(variable.name);
        }
      }
    }
    const generators = overlay.configMapGenerator as Json[];
    const baseConfigMaps = base.filter((r) => r.kind === 'ConfigMap').map(name);
    for (const generator of generators) {
      expect(generator.behavior).toBe('merge');
      expect(baseConfigMaps).toContain(generator.name);
    }
  });

  // CI has kubectl (the machine image ships it); elsewhere the comparison is skipped, and says so.
  const kubectlAvailable = kubectlKustomize(KUSTOMIZE_DIRS.base) !== null;
  if (!kubectlAvailable && process.env.CI === 'true')
    throw new Error('kubectl is not installed: CI compares the built-in kustomize renderer with kubectl');
  if (!kubectlAvailable)
    console.warn(
      'SKIPPED: kubectl is not installed here, so the built-in kustomize renderer is not compared with ' +
        '`kubectl kustomize`; install kubectl to run that comparison',
    );
  (kubectlAvailable ? it : it.skip).each(Object.keys(KUSTOMIZE_DIRS))(
    'renders %s with the built-in renderer exactly as kubectl kustomize does',
    (variant) => {
      const dir = KUSTOMIZE_DIRS[variant as keyof typeof KUSTOMIZE_DIRS];
      const key = (r: Json) => `${r.kind}/${name(r)}`;
      const byKey = (resources: Json[]) =>
        Object.fromEntries(resources.map((r) => [key(r), r]).sort(([a], [b]) => (a < b ? -1 : 1)));
      // kubectl prints YAML; the renderer keeps the parsed values: compare both as JSON.
      const normalise = (resources: Json[]) => JSON.parse(JSON.stringify(byKey(resources)));
      expect(normalise(renderKustomization(dir))).toEqual(
        normalise(withoutNameHashes(kubectlKustomize(dir) as Json[])),
      );
    },
  );

  describe.each(Object.keys(KUSTOMIZE_DIRS))('%s', (variant) => {
    const production = variant === 'production';
    const { resources } = render(KUSTOMIZE_DIRS[variant as keyof typeof KUSTOMIZE_DIRS]);
    const ofKind = (kind: string) => resources.filter((r) => r.kind === kind);
    const deployment = (app: App): Json => {
      const found = ofKind('Deployment').filter(
        (d) => ((d.metadata as Json).labels as Record<string, string>)['app.kubernetes.io/component'] === app,
      );
      expect(found).toHaveLength(1);
      return found[0];
    };
    const container = (app: App): Json => {
      const containers = podContainers(deployment(app));
      expect(containers).toHaveLength(1);
      return containers[0];
    };
    const envOf = (app: App) => resolveContainerEnv(container(app), resources, secretValues);
    const configOf = (app: App): AccordConfig => loadConfig(envOf(app), ROOT);

    it('has the three Deployments, their Services and PDBs, the HPA and the NetworkPolicies in namespace accord', () => {
      for (const app of APPS) deployment(app);
      expect(ofKind('Service').map(name).sort()).toEqual(['accord-api', 'accord-projector', 'accord-relay']);
      expect(ofKind('HorizontalPodAutoscaler').map(name)).toEqual(['accord-api']);
      expect(ofKind('PodDisruptionBudget').map(name).sort()).toEqual([
        'accord-api',
        'accord-projector',
        'accord-relay',
      ]);
      expect(ofKind('NetworkPolicy').length).toBeGreaterThanOrEqual(4);
      for (const resource of resources)
        if (resource.kind !== 'Namespace')
          expect({
            resource: `${resource.kind}/${name(resource)}`,
            ns: (resource.metadata as Json).namespace,
          }).toEqual({ resource: `${resource.kind}/${name(resource)}`, ns: 'accord' });
    });

    it('gives the processes only variables that libs/config reads', () => {
      const known = configVariableNames();
      for (const configMap of ofKind('ConfigMap'))
        for (const key of Object.keys(configMap.data as Json))
          expect({ configMap: name(configMap), key, known: known.has(key) }).toEqual({
            configMap: name(configMap),
            key,
            known: true,
          });
      for (const app of APPS)
        for (const variable of (container(app).env as Json[]) ?? [])
          expect({ app, variable: variable.name, known: known.has(variable.name as string) }).toEqual({
            app,
            variable: variable.name,
            known: true,
          });
    });

    it('references only Secret keys that deploy/README.md documents (with the command that creates them)', () => {
      for (const app of APPS)
        for (const variable of (container(app).env as Json[]) ?? []) {
          const ref = (variable.valueFrom as Json | undefined)?.secretKeyRef as Json | undefined;
          if (!ref) continue;
          expect({
            app,
            secret: ref.name,
            key: ref.key,
            documented: secrets.get(ref.name as string)?.has(ref.key as string),
          }).toEqual({
            app,
            secret: ref.name,
            key: ref.key,
            documented: true,
          });
          expect(ref.optional).toBeUndefined();
        }
    });

    it('references only ConfigMaps and ServiceAccounts that it defines', () => {
      for (const app of APPS) {
        for (const source of (container(app).envFrom as Json[]) ?? [])
          expect(ofKind('ConfigMap').map(name)).toContain((source.configMapRef as Json).name);
        expect(ofKind('ServiceAccount').map(name)).toContain(podSpec(deployment(app)).serviceAccountName);
      }
    });

    describe.each(APPS)('%s', (app: App) => {
      it('has a configuration that loadConfig accepts, for the production topology', () => {
        const config = configOf(app);
        expect(config.host).toBe('0.0.0.0');
        expect(config.eventStore.kind).toBe('eventstoredb');
        expect(config.readStore.kind).toBe('postgres');
        expect(config.roles).toEqual(
          { api: ['api'], projector: ['projector', 'scheduler'], relay: ['relay'] }[app],
        );
        expect(config.port).toBe({ api: 3000, projector: 3001, relay: 3002 }[app]);
        expect(config.kafka).not.toBeNull();
        if (production) {
          expect(config.kafka).toMatchObject({ partitions: 12, replicationFactor: 3 });
          expect(config.kafka?.brokers).toHaveLength(3);
          expect(config.jwt.kind).toBe('jwks');
          expect(config.logLevel).toBe('info');
        }
      });

      it('runs the entry point the build produces, from the Accord image', () => {
        expect(container(app).command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
        const image = container(app).image as string;
        if (production) {
          expect(isPinnedUpstreamImage(image)).toBe(true);
          expect(image).toMatch(/\/accord:/);
        } else expect(image).toBe('accord:local');
      });

      it('probes, exposes and advertises for scraping the port it listens on (PORT)', () => {
        const port = configOf(app).port;
        const c = container(app);
        expect(((c.ports as Json[]) ?? []).map((p) => p.containerPort)).toEqual([port]);
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
          const httpGet = (c[probe] as Json).httpGet as Json;
          expect({ probe, port: containerPortNumber(c, httpGet.port) }).toEqual({ probe, port });
        }
        expect(((c.livenessProbe as Json).httpGet as Json).path).toBe('/health/live');
        expect(((c.readinessProbe as Json).httpGet as Json).path).toBe('/health/ready');
        const annotations = ((deployment(app).spec as Json).template as Json).metadata as Json;
        expect((annotations.annotations as Json)['prometheus.io/port']).toBe(String(port));
      });

      it('is reached through a Service that selects its pods and targets its port', () => {
        const labels = (((deployment(app).spec as Json).template as Json).metadata as Json).labels as Json;
        const services = ofKind('Service').filter((service) =>
          Object.entries((service.spec as Json).selector as Json).every(
            ([key, value]) => labels[key] === value,
          ),
        );
        expect(services).toHaveLength(1);
        for (const port of (services[0].spec as Json).ports as Json[])
          expect(containerPortNumber(container(app), port.targetPort)).toBe(configOf(app).port);
        // The Service selects no other component's pods.
        for (const other of APPS.filter((a) => a !== app)) {
          const otherLabels = (((deployment(other).spec as Json).template as Json).metadata as Json)
            .labels as Json;
          const selector = (services[0].spec as Json).selector as Json;
          expect(Object.entries(selector).every(([key, value]) => otherLabels[key] === value)).toBe(false);
        }
      });

      it('runs as non-root with a read-only root file system, no capabilities and resource limits', () => {
        const pod = podSpec(deployment(app));
        const podSecurity = pod.securityContext as Json;
        const c = container(app);
        const security = c.securityContext as Json;
        expect(podSecurity.runAsNonRoot ?? security.runAsNonRoot).toBe(true);
        expect((security.runAsUser ?? podSecurity.runAsUser) as number).toBeGreaterThan(0);
        expect(security).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(pod.automountServiceAccountToken).toBe(false);
        const resourcesOf = c.resources as Json;
        for (const kind of ['requests', 'limits'])
          expect(Object.keys(resourcesOf[kind] as Json).sort()).toEqual(['cpu', 'memory']);
        // Writable paths are volumes (the root file system is read-only).
        const mounts = ((c.volumeMounts as Json[]) ?? []).map((m) => m.mountPath);
        expect(mounts).toEqual(expect.arrayContaining(['/tmp', envOf(app).ACCORD_DATA_DIR]));
      });
    });

    it('runs two projectors and two relays, one of each active by a lease in PostgreSQL, rolled one pod at a time', () => {
      for (const app of ['projector', 'relay'] as const) {
        const spec = deployment(app).spec as Json;
        expect({ app, replicas: spec.replicas, strategy: spec.strategy }).toEqual({
          app,
          replicas: 2,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        });
        const config = configOf(app);
        expect({ app, lease: config.lease.kind }).toEqual({ app, lease: 'postgres' });
        const spread = (podSpec(deployment(app)).topologySpreadConstraints as Json[]).map(
          (c) => c.topologyKey,
        );
        expect(spread).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      }
      expect(configOf('api').lease.kind).toBe('none');
    });

    it('scales the api with an autoscaling/v2 HPA on CPU, which owns its replica count', () => {
      const api = deployment('api');
      expect((api.spec as Json).replicas).toBeUndefined();
      const [hpa] = ofKind('HorizontalPodAutoscaler');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect((hpa.spec as Json).scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: name(api),
      });
      const metric = ((hpa.spec as Json).metrics as Json[])[0];
      expect(metric).toMatchObject({
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization' } },
      });
      // Utilization is relative to the CPU request.
      expect(((container('api').resources as Json).requests as Json).cpu).toBeDefined();
      const { minReplicas, maxReplicas } = hpa.spec as { minReplicas: number; maxReplicas: number };
      expect(minReplicas).toBeGreaterThanOrEqual(production ? 3 : 2);
      expect(maxReplicas).toBeGreaterThan(minReplicas);
    });

    it('keeps pods of every process up during voluntary disruptions (one PDB each, maxUnavailable 1)', () => {
      for (const pdb of ofKind('PodDisruptionBudget')) {
        expect(pdb.apiVersion).toBe('policy/v1');
        expect((pdb.spec as Json).maxUnavailable).toBe(1);
        const selector = ((pdb.spec as Json).selector as Json).matchLabels as Json;
        const selected = APPS.filter((app) => {
          const labels = (((deployment(app).spec as Json).template as Json).metadata as Json).labels as Json;
          return Object.entries(selector).every(([key, value]) => labels[key] === value);
        });
        expect({ pdb: name(pdb), selected }).toEqual({
          pdb: name(pdb),
          selected: [name(pdb).replace('accord-', '')],
        });
      }
    });

    describe('NetworkPolicies', () => {
      const policies = ofKind('NetworkPolicy');
      const labelsOf = (app: App) =>
        (((deployment(app).spec as Json).template as Json).metadata as Json).labels as Record<string, string>;
      const selects = (policy: Json, app: App) => {
        const selector = (policy.spec as Json).podSelector as Json;
        const labels = labelsOf(app);
        const matchLabels = Object.entries((selector.matchLabels as Json | undefined) ?? {}).every(
          ([key, value]) => labels[key] === value,
        );
        const matchExpressions = ((selector.matchExpressions as Json[] | undefined) ?? []).every(
          (e) => e.operator === 'In' && (e.values as string[]).includes(labels[e.key as string]),
        );
        return matchLabels && matchExpressions;
      };
      const rules = (app: App, direction: 'ingress' | 'egress') =>
        policies.filter((p) => selects(p, app)).flatMap((p) => ((p.spec as Json)[direction] as Json[]) ?? []);
      const ports = (rule: Json) =>
        ((rule.ports as Json[]) ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`);

      it('denies all traffic of every Accord pod by default', () => {
        for (const app of APPS) {
          const denyAll = policies.filter(
            (p) =>
              selects(p, app) &&
              ((p.spec as Json).policyTypes as string[]).includes('Ingress') &&
              ((p.spec as Json).policyTypes as string[]).includes('Egress') &&
              !(p.spec as Json).ingress &&
              !(p.spec as Json).egress,
          );
          expect({ app, denyAll: denyAll.length }).toEqual({ app, denyAll: 1 });
        }
      });

      it('lets anyone reach the api on its port, and only the monitoring namespace reach the workers', () => {
        const apiRules = rules('api', 'ingress');
        expect(apiRules.some((r) => !r.from && ports(r).includes(`${configOf('api').port}/TCP`))).toBe(true);
        for (const app of ['projector', 'relay'] as const) {
          const ingress = rules(app, 'ingress');
          expect(ingress.length).toBeGreaterThan(0);
          for (const rule of ingress)
            expect(rule.from).toEqual([
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
            ]);
          expect(ingress.flatMap(ports)).toContain(`${configOf(app).port}/TCP`);
        }
      });

      it('lets every process reach DNS and the ports of EventStoreDB, Kafka and PostgreSQL it is configured with', () => {
        for (const app of APPS) {
          const config = configOf(app);
          const egress = rules(app, 'egress').flatMap(ports);
          const needed = ['53/UDP', '53/TCP'];
          if (config.eventStore.kind === 'eventstoredb')
            for (const host of config.eventStore.connectionString
              .replace(/^[^@]*@|^esdb(\+discover)?:\/\//, '')
              .split('?')[0]
              .split(','))
              needed.push(`${host.split(':')[1] ?? '2113'}/TCP`);
          if (config.readStore.kind === 'postgres')
            needed.push(`${new URL(config.readStore.databaseUrl).port || '5432'}/TCP`);
          for (const broker of config.kafka?.brokers ?? []) needed.push(`${broker.split(':')[1]}/TCP`);
          if (app === 'api' && config.jwt.kind === 'jwks')
            needed.push(`${new URL(config.jwt.jwksUrl).port || '443'}/TCP`);
          for (const port of needed)
            expect({ app, port, allowed: egress.includes(port) }).toEqual({ app, port, allowed: true });
        }
      });
    });
  });

  it('documents in deploy/README.md how to create every Secret it references', () => {
    expect([...(secrets.get('accord-secrets')?.keys() ?? [])].sort()).toEqual([
      'ACCORD_JWT_SECRET',
      'DATABASE_URL',
      'EVENTSTORE_CONNECTION_STRING',
    ]);
  });
});
