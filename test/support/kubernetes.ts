import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import { type KubeObject, PLACEHOLDER_SECRETS } from './deploy-files.js';

// The rendered objects of an overlay, typed and checked against Kubernetes' own schema (the
// kubernetes-models package is generated from the API's OpenAPI definitions: types, required
// fields, enums, quantities), and what the bot's container ends up with: its environment, its
// ports and its volumes.

/** Validates an object with the model of its apiVersion and kind; throws naming the fields. */
export async function validateObject(object: KubeObject): Promise<void> {
  const models = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<
    string,
    new (
      data: unknown,
    ) => { validate(): void }
  >;
  const Model = models[object.kind];
  if (!Model) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

export class Rendered {
  constructor(readonly objects: KubeObject[]) {}

  ofKind<T>(kind: string): T[] {
    return this.objects.filter((o) => o.kind === kind) as unknown as T[];
  }

  one<T>(kind: string): T {
    const found = this.ofKind<T>(kind);
    if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
    return found[0] as T;
  }

  get deployment(): IDeployment {
    return this.one<IDeployment>('Deployment');
  }
  get service(): IService {
    return this.one<IService>('Service');
  }
  get pdb(): IPodDisruptionBudget | undefined {
    return this.ofKind<IPodDisruptionBudget>('PodDisruptionBudget')[0];
  }
  get ingress(): IIngress | undefined {
    return this.ofKind<IIngress>('Ingress')[0];
  }

  get container(): IContainer {
    const containers = this.deployment.spec?.template.spec?.containers ?? [];
    if (containers.length !== 1) throw new Error(`expected one container, ${containers.length}`);
    return containers[0] as IContainer;
  }

  configMap(name: string): IConfigMap {
    const found = this.ofKind<IConfigMap>('ConfigMap').find((c) => c.metadata?.name === name);
    if (!found) throw new Error(`no ConfigMap ${name}`);
    return found;
  }

  /** The variables from envFrom ConfigMaps, then env's literal values (which win). */
  plainEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const from of this.container.envFrom ?? []) {
      if (from.configMapRef) Object.assign(env, this.configMap(from.configMapRef.name ?? '').data);
    }
    for (const item of this.container.env ?? []) {
      if (item.value !== undefined) env[item.name] = item.value;
    }
    return env;
  }

  /** env entries taken from a Secret, by variable name. */
  secretRefs(): Record<string, { name?: string; key: string; optional?: boolean }> {
    const refs: Record<string, { name?: string; key: string; optional?: boolean }> = {};
    for (const item of this.container.env ?? []) {
      const ref = item.valueFrom?.secretKeyRef;
      if (ref) refs[item.name] = ref;
    }
    return refs;
  }

  /**
   * The environment the pod starts with when its Secret holds only the keys it requires (a
   * placeholder for each): what the overlay needs at the least.
   */
  podEnv(): Record<string, string> {
    const env = this.plainEnv();
    for (const [name, ref] of Object.entries(this.secretRefs())) {
      if (ref.optional) continue;
      const placeholder = PLACEHOLDER_SECRETS[name as keyof typeof PLACEHOLDER_SECRETS];
      if (placeholder === undefined) throw new Error(`${name} comes from a Secret: not a secret`);
      env[name] = placeholder;
    }
    return env;
  }

  containerPort(name: string | number): number {
    if (typeof name === 'number') return name;
    const port = this.container.ports?.find((p) => p.name === name);
    if (!port) throw new Error(`the container has no port named ${name}`);
    return port.containerPort;
  }

  /** The volume mounted at `path` or above it, with its mount. */
  volumeAt(path: string) {
    const mount = (this.container.volumeMounts ?? [])
      .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
      .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
    if (!mount) return undefined;
    const volume = this.deployment.spec?.template.spec?.volumes?.find((v) => v.name === mount.name);
    return volume ? { mount, volume } : undefined;
  }
}
