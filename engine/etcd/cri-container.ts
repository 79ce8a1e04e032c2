// A kubeadm member's running etcd container as the CRI shows it (`crictl inspect -o json`): its command, image and
// mounts in the docker flavour's ContainerDef shape, so the same flag and mount helpers (container.ts) read both.
import { RingError } from '../errors/index.js';
import type { ContainerDef } from './container.js';

interface CriInspect {
  status?: {
    metadata?: { name?: string }; state?: string; image?: { image?: string }; labels?: Record<string, string>;
    mounts?: Array<{ containerPath?: string; hostPath?: string }> | null;
  };
  info?: { config?: { command?: string[] | null; args?: string[] | null; envs?: Array<{ key?: string; value?: string }> | null } };
}

/** The definition from `crictl inspect -o json <id>`; `where` names the container in errors. */
export function parseCriInspect(text: string, where: string): ContainerDef {
  let c: CriInspect;
  try {
    c = JSON.parse(text) as CriInspect;
  } catch (e) {
    throw new RingError('E_TASK_FAILED', `${where}: crictl inspect printed no JSON (${(e as Error).message})`);
  }
  const command = [...(c.info?.config?.command ?? []), ...(c.info?.config?.args ?? [])];
  if (!command.length || !c.status?.image?.image) throw new RingError('E_TASK_FAILED', `${where}: crictl inspect shows no container with a command and an image`);
  return {
    name: c.status.metadata?.name ?? '',
    image: c.status.image.image,
    command,
    env: (c.info?.config?.envs ?? []).map((e) => `${e.key ?? ''}=${e.value ?? ''}`),
    binds: [],
    mounts: (c.status.mounts ?? []).filter((m) => m.hostPath && m.containerPath).map((m) => ({ source: m.hostPath as string, destination: m.containerPath as string })),
    labels: c.status.labels ?? {},
    network: 'host',
    restart: 'always',
    running: c.status.state === 'CONTAINER_RUNNING',
    user: '',
  };
}
