import { readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { AccordConfig, DEFAULT_LOG_ORIGIN, loadConfig } from '@accord/config';
import { generateSignerKey, verifierKeyOf } from '@accord/tlog';
import { parseWitnessArgs } from '../../apps/cli/src/commands/witness';
import {
  APPS,
  App,
  configVariableNames,
  containerPortNumber,
  DEFAULT_PARTIES_FILE,
  documentedCreations,
  documentedSecrets,
  Env,
  isPinnedUpstreamImage,
  Json,
  kubectlKustomize,
  KUSTOMIZE_DIRS,
  MEMBER_STATES,
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

/** The volume a path of a container lies in, and the path within it; null outside every mount. */
function mountOf(
  pod: Json,
  container: Json,
  path: string,
): { mount: Json; volume: Json; key: string } | null {
  const mount = ((container.volumeMounts as Json[]) ?? []).find((m) =>
    path.startsWith(`${(m.mountPath as string).replace(/\/$/, '')}/`),
  );
  if (!mount) return null;
  const volume = ((pod.volumes as Json[]) ?? []).find((v) => v.name === mount.name);
  if (!volume) throw new Error(`no volume ${mount.name}`);
  return { mount, volume, key: posix.relative(mount.mountPath as string, path) };
}

/** Static checks of the kustomize base and overlays (no cluster here; `kubectl kustomize` renders when installed). */
describe('deploy/k8s', () => {
  const yamlFiles = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(join(ROOT, path)).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });

  const secrets = documentedSecrets();
  const configMapsToCreate = documentedCreations('configmap');
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
    /** The log's key pair, as `accord keys log` makes it for the origin this variant configures. */
    const logOrigin =
      ((ofKind('ConfigMap').find((c) => name(c) === 'accord-config')?.data as Env | undefined) ?? {})
        .ACCORD_LOG_ORIGIN ?? DEFAULT_LOG_ORIGIN;
    const logPrivateKey = generateSignerKey(logOrigin);
    const values = new Map([
      ...secretValues,
      [
        'accord-log-key',
        new Map([
          ['ACCORD_LOG_PRIVATE_KEY', logPrivateKey],
          ['ACCORD_LOG_PUBLIC_KEY', verifierKeyOf(logPrivateKey)],
        ]),
      ],
    ]);
    /**
     * A container's environment; a file it reads from a ConfigMap the operator creates (the parties file) is the
     * repository's built-in parties file, of the same format.
     */
    const envOf = (app: App): Env => {
      const env = resolveContainerEnv(container(app), resources, values);
      const partiesFile = env.ACCORD_PARTIES_FILE;
      if (partiesFile === undefined) return env;
      const mounted = mountOf(podSpec(deployment(app)), container(app), partiesFile);
      const configMap = (mounted?.volume.configMap as Json | undefined)?.name as string;
      expect(configMapsToCreate.get(configMap)?.has(mounted?.key as string)).toBe(true);
      return { ...env, ACCORD_PARTIES_FILE: DEFAULT_PARTIES_FILE };
    };
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
      // The README shows one witness's Secret; the others are made alike.
      const documentedAs = (secret: string) =>
        secret.replace(/^accord-witness-[a-z]{3}$/, 'accord-witness-kaz');
      const documented = (deployment: string, secret: unknown, key: unknown) =>
        expect({
          deployment,
          secret,
          key,
          documented: secrets.get(documentedAs(secret as string))?.has(key as string),
        }).toEqual({
          deployment,
          secret,
          key,
          documented: true,
        });
      for (const d of ofKind('Deployment')) {
        for (const variable of podContainers(d).flatMap((c) => (c.env as Json[]) ?? [])) {
          const ref = (variable.valueFrom as Json | undefined)?.secretKeyRef as Json | undefined;
          if (!ref) continue;
          documented(name(d), ref.name, ref.key);
          expect(ref.optional).toBeUndefined();
        }
        for (const volume of (podSpec(d).volumes as Json[]) ?? []) {
          const secret = volume.secret as Json | undefined;
          if (!secret) continue;
          expect(secret.items).toBeDefined();
          for (const item of secret.items as Json[]) documented(name(d), secret.secretName, item.key);
        }
      }
    });

    it('references only ConfigMaps and ServiceAccounts that it defines, or ConfigMaps that deploy/README.md creates', () => {
      for (const app of APPS) {
        for (const source of (container(app).envFrom as Json[]) ?? [])
          expect(ofKind('ConfigMap').map(name)).toContain((source.configMapRef as Json).name);
        expect(ofKind('ServiceAccount').map(name)).toContain(podSpec(deployment(app)).serviceAccountName);
      }
      for (const d of ofKind('Deployment'))
        for (const volume of (podSpec(d).volumes as Json[]) ?? []) {
          const configMap = (volume.configMap as Json | undefined)?.name as string | undefined;
          if (configMap === undefined) continue;
          expect({
            deployment: name(d),
            configMap,
            known:
              ofKind('ConfigMap').some((c) => name(c) === configMap) || configMapsToCreate.has(configMap),
          }).toEqual({ deployment: name(d), configMap, known: true });
        }
    });

    it('gives the log’s private key to the projector only and its verifier key to the api, named after the origin', () => {
      expect(configOf('projector').log).toMatchObject({
        origin: logOrigin,
        privateKey: values.get('accord-log-key')?.get('ACCORD_LOG_PRIVATE_KEY'),
      });
      expect(configOf('api').log).toMatchObject({
        origin: logOrigin,
        privateKey: null,
        publicKey: values.get('accord-log-key')?.get('ACCORD_LOG_PUBLIC_KEY'),
      });
      expect(configOf('relay').log).toMatchObject({ privateKey: null, publicKey: null });
      const holders = ofKind('Deployment').filter((d) =>
        podContainers(d).some((c) =>
          ((c.env as Json[]) ?? []).some(
            (v) =>
              ((v.valueFrom as Json | undefined)?.secretKeyRef as Json | undefined)?.key ===
              'ACCORD_LOG_PRIVATE_KEY',
          ),
        ),
      );
      expect(holders.map(name)).toEqual([name(deployment('projector'))]);
      if (production) expect(logOrigin).not.toBe(DEFAULT_LOG_ORIGIN);
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

    describe('witnesses', () => {
      const witnesses = ofKind('Deployment').filter(
        (d) =>
          ((d.metadata as Json).labels as Record<string, string>)['app.kubernetes.io/component'] ===
          'witness',
      );
      /**
       * Each witness's command line as the CLI reads it. The files it names are in the pod: the log key's is read
       * here as the key itself, and the token is checked apart.
       */
      const parsed = witnesses.map((d) => {
        const [c] = podContainers(d);
        const command = c.command as string[];
        const argument = (option: string) => command[command.indexOf(option) + 1];
        const logKeyFile = argument('--log-key');
        const options = parseWitnessArgs(
          command
            .slice(3)
            .map((word) =>
              word === logKeyFile
                ? (values.get('accord-log-key')?.get('ACCORD_LOG_PUBLIC_KEY') as string)
                : word,
            ),
          { ACCORD_TOKEN: 'a token' },
        );
        if (typeof options === 'string') throw new Error(`${name(d)}: ${options}`);
        return { d, c, pod: podSpec(d), command, options, logKeyFile, state: argument('--state') };
      });

      it(
        production
          ? 'runs one witness Deployment per member state'
          : 'runs no witness (the production overlay has them)',
        () => {
          expect(parsed.map(({ state }) => state).sort()).toEqual(
            production ? [...MEMBER_STATES].sort() : [],
          );
          for (const { d, state } of parsed) expect(name(d)).toBe(`accord-witness-${state.toLowerCase()}`);
        },
      );

      it('runs accord witness of the Accord image against the api Service, one pod at a time', () => {
        const apiService = ofKind('Service').find((service) => name(service) === 'accord-api') as Json;
        for (const { d, c, command, options } of parsed) {
          expect(podContainers(d)).toHaveLength(1);
          expect(command.slice(0, 3)).toEqual(['node', 'dist/apps/cli/src/main.js', 'witness']);
          expect(c.image).toBe(container('api').image);
          const url = new URL(options.url);
          expect(url.hostname).toBe(
            `${name(apiService)}.${(apiService.metadata as Json).namespace}.svc.cluster.local`,
          );
          const port = ((apiService.spec as Json).ports as Json[]).find(
            (p) => p.port === Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          ) as Json;
          expect(containerPortNumber(container('api'), port.targetPort)).toBe(configOf('api').port);
          expect({
            replicas: (d.spec as Json).replicas,
            strategy: ((d.spec as Json).strategy as Json).type,
          }).toEqual({
            replicas: 1,
            strategy: 'Recreate',
          });
        }
      });

      it('gives each witness its own Secret (key, pinned log key, token) and its own volume for its state file', () => {
        const secretsSeen = new Set<string>();
        const claimsSeen = new Set<string>();
        for (const { d, c, pod, options, logKeyFile } of parsed) {
          const keyFiles = [options.keyFile, logKeyFile].map((path) => mountOf(pod, c, path));
          const secretNames = keyFiles.map((file) => (file?.volume.secret as Json | undefined)?.secretName);
          const token = ((c.env as Json[]).find((v) => v.name === 'ACCORD_TOKEN')?.valueFrom as Json)
            .secretKeyRef as Json;
          expect(new Set([...secretNames, token.name])).toEqual(new Set([name(d)]));
          for (const file of keyFiles) {
            expect(file?.mount.readOnly).toBe(true);
            expect(((file?.volume.secret as Json).items as Json[]).map((item) => item.path)).toContain(
              file?.key,
            );
          }
          secretsSeen.add(token.name as string);
          const state = mountOf(pod, c, options.stateFile);
          const claim = (state?.volume.persistentVolumeClaim as Json | undefined)?.claimName as string;
          const pvc = ofKind('PersistentVolumeClaim').find((r) => name(r) === claim) as Json;
          expect((pvc.spec as Json).accessModes).toEqual(['ReadWriteOnce']);
          claimsSeen.add(claim);
        }
        expect([secretsSeen.size, claimsSeen.size]).toEqual([parsed.length, parsed.length]);
      });

      it('runs as non-root with a read-only root file system, no capabilities, no token and resource limits', () => {
        for (const { c, pod } of parsed) {
          expect(pod.securityContext).toMatchObject({
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          });
          expect(c.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(pod.automountServiceAccountToken).toBe(false);
          for (const kind of ['requests', 'limits'])
            expect(Object.keys((c.resources as Json)[kind] as Json).sort()).toEqual(['cpu', 'memory']);
          expect(((c.volumeMounts as Json[]) ?? []).map((m) => m.mountPath)).toContain('/tmp');
        }
      });

      it('lets a witness reach DNS and the api pods’ port only, and nothing reach it', () => {
        const labelsOf = (d: Json) => (((d.spec as Json).template as Json).metadata as Json).labels as Json;
        const selecting = (d: Json) =>
          ofKind('NetworkPolicy').filter((p) =>
            Object.entries(((p.spec as Json).podSelector as Json).matchLabels as Json).every(
              ([key, value]) => labelsOf(d)[key] === value,
            ),
          );
        const apiLabels = labelsOf(deployment('api'));
        for (const { d } of parsed) {
          const policies = selecting(d);
          expect(policies.flatMap((p) => (p.spec as Json).policyTypes as string[])).toEqual(
            expect.arrayContaining(['Ingress', 'Egress']),
          );
          expect(policies.flatMap((p) => ((p.spec as Json).ingress as Json[]) ?? [])).toEqual([]);
          const egress = policies.flatMap((p) => ((p.spec as Json).egress as Json[]) ?? []);
          /** `peer:port/protocol`, the peer `any` (no `to`), `api` (the api pods) or `other`. */
          const allowed = egress.flatMap((rule) => {
            const peers = ((rule.to as Json[] | undefined) ?? []).map(
              (peer) => ((peer.podSelector as Json | undefined)?.matchLabels as Json | undefined) ?? {},
            );
            const peer =
              peers.length === 0
                ? 'any'
                : peers.every((labels) => Object.entries(labels).every(([k, v]) => apiLabels[k] === v))
                  ? 'api'
                  : 'other';
            return ((rule.ports as Json[]) ?? []).map(
              (port) => `${peer}:${port.port}/${port.protocol ?? 'TCP'}`,
            );
          });
          expect(allowed.sort()).toEqual(
            ['any:53/TCP', 'any:53/UDP', `api:${configOf('api').port}/TCP`].sort(),
          );
          // No Service sends it traffic.
          for (const service of ofKind('Service'))
            expect(
              Object.entries((service.spec as Json).selector as Json).every(([k, v]) => labelsOf(d)[k] === v),
            ).toBe(false);
        }
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

  it('documents in deploy/README.md how to create every Secret and ConfigMap it references', () => {
    expect([...(secrets.get('accord-secrets')?.keys() ?? [])].sort()).toEqual([
      'ACCORD_JWT_SECRET',
      'DATABASE_URL',
      'EVENTSTORE_CONNECTION_STRING',
    ]);
    expect([...(secrets.get('accord-log-key')?.keys() ?? [])].sort()).toEqual([
      'ACCORD_LOG_PRIVATE_KEY',
      'ACCORD_LOG_PUBLIC_KEY',
    ]);
    // The witnesses' Secrets are alike: one is shown, the others named after it.
    expect([...(secrets.get('accord-witness-kaz')?.entries() ?? [])].sort()).toEqual([
      ['ACCORD_TOKEN', expect.any(String)],
      ['log.vkey', 'log.vkey'],
      ['witness.key', 'keys/KAZ.witness.key'],
    ]);
    expect([...(configMapsToCreate.get('accord-parties')?.keys() ?? [])]).toEqual(['parties.json']);
  });
});
