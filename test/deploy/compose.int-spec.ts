import { join, posix } from 'node:path';
import { AccordConfig, DEFAULT_LOG_ORIGIN, loadConfig } from '@accord/config';
import { generateSignerKey, parseVerifierKey, verifierKeyOf } from '@accord/tlog';
import { parseWitnessArgs } from '../../apps/cli/src/commands/witness';
import {
  APPS,
  App,
  composeEnvironment,
  configVariableNames,
  DEFAULT_PARTIES_FILE,
  Env,
  interpolate,
  interpolateDeep,
  isPinnedUpstreamImage,
  Json,
  MEMBER_STATES,
  parseYamlFile,
  repoPathExists,
  ROOT,
} from './support';

/** Static checks of docker-compose.yml: no Docker engine runs here, so nothing is started. */
describe('docker-compose.yml', () => {
  const SECRET = 'compose-test-secret-of-at-least-32-characters';
  const LOG_PRIVATE_KEY = generateSignerKey(DEFAULT_LOG_ORIGIN);
  const LOG_PUBLIC_KEY = verifierKeyOf(LOG_PRIVATE_KEY);
  /** What `docker compose up` requires from the environment. */
  const REQUIRED: Env = {
    ACCORD_JWT_SECRET: SECRET,
    ACCORD_LOG_PRIVATE_KEY: LOG_PRIVATE_KEY,
    ACCORD_LOG_PUBLIC_KEY: LOG_PUBLIC_KEY,
  };
  const raw = parseYamlFile(join(ROOT, 'docker-compose.yml'))[0];
  const compose = interpolateDeep(raw, REQUIRED);
  const services = compose.services as Record<string, Json>;
  const profilesOf = (name: string) => (services[name].profiles as string[] | undefined) ?? [];
  const witnesses = Object.keys(services).filter((name) => profilesOf(name).includes('witnesses'));
  const accordServices = Object.keys(services).filter((name) => services[name].build !== undefined);
  const env = (service: string): Env => composeEnvironment(services[service].environment);
  /** A service's environment with the paths of the files Compose mounts (`configs`) as the files on this host. */
  const hostEnv = (service: string): Env => {
    const mounted = Object.fromEntries(
      ((services[service].configs as Json[] | undefined) ?? []).map((config) => [
        config.target,
        ((compose.configs as Record<string, Json>)[config.source as string].file as string).replace(
          /^\.\//,
          '',
        ),
      ]),
    );
    return Object.fromEntries(
      Object.entries(env(service)).map(([name, value]) => [name, mounted[value] ?? value]),
    );
  };

  it('has the whole topology: EventStoreDB, Kafka, PostgreSQL and the three Accord processes, and the witnesses', () => {
    expect(
      Object.keys(services)
        .filter((name) => !witnesses.includes(name))
        .sort(),
    ).toEqual(['api', 'eventstoredb', 'kafka', 'postgres', 'projector', 'relay'].sort());
    expect(accordServices.filter((name) => !witnesses.includes(name)).sort()).toEqual([...APPS].sort());
  });

  it('refuses to start without ACCORD_JWT_SECRET and the log keys, and uses no other unset variable without a default', () => {
    for (const variable of Object.keys(REQUIRED)) {
      const { [variable]: _missing, ...others } = REQUIRED;
      expect(() => interpolateDeep(raw, others)).toThrow(new RegExp(variable));
    }
    for (const variable of ['ACCORD_LOG_PRIVATE_KEY', 'ACCORD_LOG_PUBLIC_KEY']) {
      const { [variable]: _missing, ...others } = REQUIRED;
      // The message tells how to make the key.
      expect(() => interpolateDeep(raw, others)).toThrow(/npx accord keys log --origin accord\.local\/log/);
    }
    const text = JSON.stringify(raw);
    const bareVariables = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]);
    expect(bareVariables).toEqual([]);
  });

  it('builds the Accord services from deploy/Dockerfile with the repository root as context', () => {
    for (const name of accordServices) {
      const build = services[name].build as Json;
      expect({ name, context: build.context, dockerfile: build.dockerfile }).toEqual({
        name,
        context: '.',
        dockerfile: 'deploy/Dockerfile',
      });
      expect(repoPathExists(join(build.context as string, build.dockerfile as string))).toBe(true);
      expect(services[name].image).toBe('accord:local');
    }
  });

  it('uses pinned, versioned images for the servers (no latest)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) continue;
      expect({ name, image: service.image, pinned: isPinnedUpstreamImage(service.image as string) }).toEqual({
        name,
        image: service.image,
        pinned: true,
      });
    }
  });

  it('runs each Accord process with its entry point', () => {
    for (const app of APPS)
      expect({ app, command: services[app].command }).toEqual({
        app,
        command: ['node', `dist/apps/${app}/src/main.js`],
      });
  });

  it('gives every Accord process only variables that libs/config reads', () => {
    const known = configVariableNames();
    expect(known.size).toBeGreaterThan(15);
    for (const app of APPS) {
      const unknown = Object.keys(env(app)).filter((name) => !known.has(name));
      expect({ app, unknown }).toEqual({ app, unknown: [] });
    }
  });

  describe.each(APPS)('%s', (app: App) => {
    let config: AccordConfig;
    beforeAll(() => {
      config = loadConfig(hostEnv(app), ROOT);
    });

    it('has a configuration that loadConfig accepts, for the production topology', () => {
      expect(config.host).toBe('0.0.0.0');
      expect(config.eventStore).toEqual({
        kind: 'eventstoredb',
        connectionString: 'esdb://eventstoredb:2113?tls=false',
      });
      expect(config.readStore.kind).toBe('postgres');
      expect(config.roles).toEqual(
        { api: ['api'], projector: ['projector', 'scheduler'], relay: ['relay'] }[app],
      );
      expect(config.port).toBe({ api: 3000, projector: 3001, relay: 3002 }[app]);
    });

    it('reaches the servers by their compose service names and ports', () => {
      const esdb = new URL(env(app).EVENTSTORE_CONNECTION_STRING);
      expect(services[esdb.hostname]).toBeDefined();
      expect(esdb.port).toBe('2113');
      if (config.readStore.kind !== 'postgres') throw new Error('postgres expected');
      const database = new URL(config.readStore.databaseUrl);
      const postgres = env('postgres');
      expect(services[database.hostname]).toBeDefined();
      expect({
        user: database.username,
        password: database.password,
        db: database.pathname.slice(1),
      }).toEqual({
        user: postgres.POSTGRES_USER,
        password: postgres.POSTGRES_PASSWORD,
        db: postgres.POSTGRES_DB,
      });
      const advertised = env('kafka')
        .KAFKA_ADVERTISED_LISTENERS.split(',')
        .map((l) => l.replace(/^\w+:\/\//, ''));
      for (const broker of config.kafka?.brokers ?? []) expect(advertised).toContain(broker);
    });

    it('checks its health on its own PORT with node (no curl in the image), and publishes that port', () => {
      const test = (services[app].healthcheck as Json).test as string[];
      expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(test[3]).toContain(`http://127.0.0.1:${config.port}/health/ready`);
      const published = ((services[app].ports as string[] | undefined) ?? []).map((p) => p.split(':').pop());
      for (const containerPort of published) expect(containerPort).toBe(String(config.port));
    });

    it('runs hardened: read-only root file system, no capabilities, a restart policy', () => {
      expect(services[app]).toMatchObject({ read_only: true, cap_drop: ['ALL'], restart: 'unless-stopped' });
    });
  });

  it('publishes the api on port 3000 and keeps the ops ports of the workers on localhost, a host port per replica', () => {
    expect(services.api.ports).toEqual(['3000:3000']);
    expect(services.projector.ports).toEqual(['127.0.0.1::3001']);
    expect(services.relay.ports).toEqual(['127.0.0.1::3002']);
  });

  it('runs two projectors and two relays, one of each active by the lease in PostgreSQL; the api without a lease', () => {
    for (const app of ['projector', 'relay'] as const) {
      expect({ app, replicas: (services[app].deploy as Json | undefined)?.replicas }).toEqual({
        app,
        replicas: 2,
      });
      expect({ app, lease: loadConfig(hostEnv(app), ROOT).lease.kind }).toEqual({ app, lease: 'postgres' });
    }
    expect(loadConfig(hostEnv('api'), ROOT).lease.kind).toBe('none');
  });

  it('gives the HS256 secret to the api only, and the Kafka brokers to the relay', () => {
    expect(loadConfig(hostEnv('api'), ROOT).jwt).toMatchObject({ kind: 'hs256', secret: SECRET });
    expect(env('projector').ACCORD_JWT_SECRET).toBeUndefined();
    expect(env('relay').ACCORD_JWT_SECRET).toBeUndefined();
    expect(loadConfig(hostEnv('relay'), ROOT).kafka).toMatchObject({
      brokers: ['kafka:9092'],
      replicationFactor: 1,
    });
  });

  it('waits for a healthy dependency wherever the dependency has a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      const dependsOn = service.depends_on;
      if (dependsOn === undefined) continue;
      const entries: [string, Json][] = Array.isArray(dependsOn)
        ? dependsOn.map((dependency: string) => [dependency, {}])
        : Object.entries(dependsOn as Record<string, Json>);
      for (const [dependency, options] of entries) {
        expect({ name, dependency, exists: dependency in services }).toEqual({
          name,
          dependency,
          exists: true,
        });
        if (services[dependency].healthcheck)
          expect({ name, dependency, condition: options.condition }).toEqual({
            name,
            dependency,
            condition: 'service_healthy',
          });
      }
    }
    const dependencies = (service: string) => Object.keys(services[service].depends_on as Json).sort();
    expect(dependencies('api')).toEqual(['eventstoredb', 'postgres']);
    expect(dependencies('projector')).toEqual(['eventstoredb', 'postgres']);
    expect(dependencies('relay')).toEqual(['eventstoredb', 'kafka', 'postgres']);
  });

  it('has a health check and a restart policy on every service (a witness serves nothing to check)', () => {
    for (const [name, service] of Object.entries(services)) {
      const healthcheck = service.healthcheck as Json | undefined;
      expect({ name, healthcheck: witnesses.includes(name) || Array.isArray(healthcheck?.test) }).toEqual({
        name,
        healthcheck: true,
      });
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
  });

  it('runs EventStoreDB as one insecure node without projections, for local use', () => {
    expect(env('eventstoredb')).toMatchObject({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
    });
    expect(((services.eventstoredb.healthcheck as Json).test as string[]).join(' ')).toContain(
      'http://localhost:2113/health/live',
    );
  });

  it('runs Kafka as one KRaft node whose listeners agree with each other', () => {
    const kafka = env('kafka');
    expect(kafka.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    // A KRaft cluster id is 16 bytes in base64url (22 characters).
    expect(kafka.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const listeners = new Map(
      kafka.KAFKA_LISTENERS.split(',').map((listener) => {
        const [, listenerName, port] = /^(\w+):\/\/[^:]*:(\d+)$/.exec(listener) ?? [];
        return [listenerName, port];
      }),
    );
    for (const advertised of kafka.KAFKA_ADVERTISED_LISTENERS.split(',')) {
      const [, listenerName, host, port] = /^(\w+):\/\/([^:]+):(\d+)$/.exec(advertised) ?? [];
      expect(listeners.get(listenerName)).toBe(port);
      expect(host).toBe('kafka');
    }
    const [, controllerHost, controllerPort] =
      /^\d+@([^:]+):(\d+)$/.exec(kafka.KAFKA_CONTROLLER_QUORUM_VOTERS) ?? [];
    expect(controllerHost).toBe('kafka');
    expect(listeners.get(kafka.KAFKA_CONTROLLER_LISTENER_NAMES)).toBe(controllerPort);
    expect(kafka.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  });

  it('keeps the servers’ data in named volumes', () => {
    const volumes = Object.keys(compose.volumes as Json);
    for (const name of ['eventstoredb', 'kafka', 'postgres']) {
      const mounts = (services[name].volumes as string[]).map((mount) => mount.split(':')[0]);
      expect(mounts.every((mount) => volumes.includes(mount))).toBe(true);
    }
  });

  it('gives the log’s private key to the projector only and its verifier key to the api, named after the origin', () => {
    const logOf = (app: App) => loadConfig(hostEnv(app), ROOT).log;
    expect(logOf('projector')).toMatchObject({ origin: DEFAULT_LOG_ORIGIN, privateKey: LOG_PRIVATE_KEY });
    expect(logOf('api')).toMatchObject({
      origin: DEFAULT_LOG_ORIGIN,
      privateKey: null,
      publicKey: LOG_PUBLIC_KEY,
    });
    expect(env('relay').ACCORD_LOG_PRIVATE_KEY).toBeUndefined();
    expect(env('relay').ACCORD_LOG_PUBLIC_KEY).toBeUndefined();
    // The origin can be chosen, for every process at once: it names the key, which loadConfig checks.
    const origin = 'accord.example.org/log';
    const key = generateSignerKey(origin);
    const chosen = interpolateDeep(raw, {
      ...REQUIRED,
      ACCORD_LOG_ORIGIN: origin,
      ACCORD_LOG_PRIVATE_KEY: key,
      ACCORD_LOG_PUBLIC_KEY: verifierKeyOf(key),
    }).services as Record<string, Json>;
    for (const app of APPS)
      expect(composeEnvironment(chosen[app].environment).ACCORD_LOG_ORIGIN).toBe(origin);
    expect(parseVerifierKey(composeEnvironment(chosen.api.environment).ACCORD_LOG_PUBLIC_KEY).name).toBe(
      origin,
    );
  });

  it('mounts into the api the parties file ACCORD_PARTIES_FILE names on the host, by default the built-in one', () => {
    const partiesFile = (environment: Env) =>
      (
        (interpolateDeep(raw, { ...REQUIRED, ...environment }).configs as Record<string, Json>)
          .parties as Json
      ).file;
    expect(partiesFile({})).toBe(`./${DEFAULT_PARTIES_FILE}`);
    expect(partiesFile({ ACCORD_PARTIES_FILE: './keys/parties.json' })).toBe('./keys/parties.json');
    expect(hostEnv('api').ACCORD_PARTIES_FILE).toBe(DEFAULT_PARTIES_FILE);
    expect(loadConfig(hostEnv('api'), ROOT).parties.all.map((party) => party.code)).toEqual(
      expect.arrayContaining(MEMBER_STATES),
    );
  });

  describe('witnesses', () => {
    /** Each witness's command line as the CLI reads it (the token is the environment's, checked below). */
    const byState = new Map(
      witnesses.map((name) => {
        const command = services[name].command as string[];
        const options = parseWitnessArgs(command.slice(3), { ACCORD_TOKEN: 'a token' });
        if (typeof options === 'string') throw new Error(`${name}: ${options}`);
        return [command[command.indexOf('--state') + 1], { name, options }];
      }),
    );

    it('runs one witness per member state, as a service of the profile witnesses only', () => {
      expect([...byState.keys()].sort()).toEqual([...MEMBER_STATES].sort());
      expect(witnesses).toHaveLength(MEMBER_STATES.length);
      for (const name of witnesses)
        expect({ name, profiles: profilesOf(name) }).toEqual({ name, profiles: ['witnesses'] });
      // `docker compose up` without the profile starts everything else.
      for (const name of Object.keys(services).filter((n) => !witnesses.includes(n)))
        expect({ name, profiles: profilesOf(name) }).toEqual({ name, profiles: [] });
    });

    it('runs accord witness of the image against the api over the compose network', () => {
      for (const [state, { name, options }] of byState) {
        const command = services[name].command as string[];
        expect({ name, entry: command.slice(0, 3) }).toEqual({
          name,
          entry: ['node', 'dist/apps/cli/src/main.js', 'witness'],
        });
        const url = new URL(options.url);
        expect({ state, host: url.hostname, port: url.port }).toEqual({
          state,
          host: 'api',
          port: String(loadConfig(hostEnv('api'), ROOT).port),
        });
        expect(services[name].depends_on).toEqual({ api: { condition: 'service_healthy' } });
        expect(services[name].image).toBe(services.api.image);
        expect(services[name].healthcheck).toEqual({ disable: true });
        expect(services[name]).toMatchObject({
          read_only: true,
          cap_drop: ['ALL'],
          restart: 'unless-stopped',
        });
        expect(services[name].ports).toBeUndefined();
      }
    });

    it('gives each witness its own key file, token and state volume', () => {
      const keyFiles = new Set<string>();
      const tokenVariables = new Set<string>();
      const volumes = new Set<string>();
      const declaredVolumes = Object.keys(compose.volumes as Json);
      for (const [state, { name, options }] of byState) {
        // The key: a secret of its own, a file on the host, mounted where --key reads it.
        const [secret, ...more] = services[name].secrets as Json[];
        expect(more).toEqual([]);
        expect(options.keyFile).toBe(posix.join('/run/secrets', secret.target as string));
        const file = ((compose.secrets as Record<string, Json>)[secret.source as string] as Json)
          .file as string;
        expect({ state, file }).toEqual({ state, file: `./keys/${state}.witness.key` });
        keyFiles.add(file);
        // The token: a variable of its own, optional so that compose starts without the witnesses.
        const token = /^\$\{(ACCORD_WITNESS_[A-Z]{3}_TOKEN):-\}$/.exec(
          composeEnvironment((raw.services as Record<string, Json>)[name].environment).ACCORD_TOKEN,
        );
        expect({ state, token: token?.[1] }).toEqual({ state, token: `ACCORD_WITNESS_${state}_TOKEN` });
        tokenVariables.add(token?.[1] as string);
        const withToken = interpolateDeep(raw, { ...REQUIRED, [token?.[1] as string]: `token of ${state}` });
        expect(composeEnvironment((withToken.services as Record<string, Json>)[name].environment)).toEqual({
          ACCORD_TOKEN: `token of ${state}`,
        });
        // The state file: on a named volume of its own, the one writable place besides /tmp.
        const mounts = (services[name].volumes as string[]).map((mount) => mount.split(':'));
        expect(mounts).toHaveLength(1);
        const [[volume, target]] = mounts;
        expect(declaredVolumes).toContain(volume);
        expect(posix.dirname(options.stateFile)).toBe(target);
        expect(services[name].tmpfs).toEqual(['/tmp']);
        volumes.add(volume);
      }
      expect([keyFiles.size, tokenVariables.size, volumes.size]).toEqual(Array(3).fill(MEMBER_STATES.length));
      for (const [name, service] of Object.entries(services))
        if (!witnesses.includes(name))
          for (const mount of (service.volumes as string[] | undefined) ?? [])
            expect({ name, shares: volumes.has(mount.split(':')[0]) }).toEqual({ name, shares: false });
    });
  });

  it('interpolates like Compose', () => {
    expect(interpolate('a $$b ${X:-d} ${Y-e} ${Z:+f}', { Y: '', Z: 'z' })).toBe('a $b d  f');
    expect(() => interpolate('${X:?set X}', { X: '' })).toThrow(/set X/);
    expect(interpolate('${X?set X}', { X: '' })).toBe('');
  });
});
