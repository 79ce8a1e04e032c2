// What the kubelet asks the CRI for when it runs a static pod: a manifest → the pod sandbox and container configs
// (`crictl runp` / `crictl create` JSON), with kubelet's names, labels, annotations, log paths and mounts.
// Runs inside the node as part of the runner bundle: it imports nothing from the engine.
import { createHash } from 'node:crypto';
import { parse } from 'yaml';

/** A manifest's pod as the runner runs it (only the first container: kubeadm's etcd pod has one). */
export interface StaticPod {
  /** metadata.name (`etcd`): the name the runner's status and the lab's tools use. */
  name: string;
  /** kubelet's mirror-pod name: `<name>-<node>`. */
  podName: string;
  namespace: string;
  /** kubelet derives a static pod's UID from a hash of the manifest and the node; a changed manifest is a new pod. */
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  hostNetwork: boolean;
  container: {
    name: string;
    image: string;
    command: string[];
    args: string[];
    env: Array<{ key: string; value: string }>;
    workingDir?: string;
    mounts: Array<{ container_path: string; host_path: string; readonly: boolean }>;
    /** Host folders kubelet creates first (hostPath type DirectoryOrCreate). */
    createDirs: string[];
  };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, String(x)]));

/** The pod a manifest defines on `node`, or the reason kubelet would refuse it. */
export function parseStaticPod(text: string, node: string): { pod?: StaticPod; error?: string } {
  let doc: Obj;
  try {
    doc = obj(parse(text));
  } catch (e) {
    return { error: `invalid YAML: ${(e as Error).message}` };
  }
  const meta = obj(doc.metadata);
  const spec = obj(doc.spec);
  const c = obj(arr(spec.containers)[0]);
  const name = meta.name === undefined ? '' : String(meta.name);
  if (!name || !c.name || !c.image) return { error: 'manifest has no metadata.name, or no spec.containers[0] with a name and an image' };
  const volumes = new Map(arr(spec.volumes).map((v) => [String(obj(v).name), obj(obj(v).hostPath)]));
  const mounts: StaticPod['container']['mounts'] = [];
  const createDirs: string[] = [];
  for (const m of arr(c.volumeMounts).map(obj)) {
    const host = volumes.get(String(m.name));
    if (!host?.path) return { error: `volumeMount ${String(m.name)}: no hostPath volume of that name` };
    mounts.push({ container_path: String(m.mountPath), host_path: String(host.path), readonly: m.readOnly === true });
    if (host.type === 'DirectoryOrCreate') createDirs.push(String(host.path));
  }
  const uid = createHash('sha256').update(`${node}\n${text}`).digest('hex').slice(0, 32);
  return {
    pod: {
      name, podName: `${name}-${node}`, namespace: String(meta.namespace ?? 'default'), uid,
      labels: strings(meta.labels), annotations: strings(meta.annotations), hostNetwork: spec.hostNetwork === true,
      container: {
        name: String(c.name), image: String(c.image),
        command: arr(c.command).map(String), args: arr(c.args).map(String),
        env: arr(c.env).map(obj).map((e) => ({ key: String(e.name), value: String(e.value ?? '') })),
        ...(c.workingDir ? { workingDir: String(c.workingDir) } : {}),
        mounts, createDirs,
      },
    },
  };
}

/** kubelet's pod log folder: `/var/log/pods/<namespace>_<pod>_<uid>`. */
export function podLogDir(pod: StaticPod): string {
  return `/var/log/pods/${pod.namespace}_${pod.podName}_${pod.uid}`;
}

/** NamespaceMode of the CRI: POD 0, CONTAINER 1, NODE 2. */
const NODE_NS = 2;
const CONTAINER_NS = 1;
const POD_NS = 0;

function podLabels(pod: StaticPod): Record<string, string> {
  return { ...pod.labels, 'io.kubernetes.pod.name': pod.podName, 'io.kubernetes.pod.namespace': pod.namespace, 'io.kubernetes.pod.uid': pod.uid };
}

/** `crictl runp` config; cgroups go under `cgroupParent` (the lab's own folder, removed by `lab down`). */
export function sandboxConfig(pod: StaticPod, cgroupParent: string): Obj {
  return {
    metadata: { name: pod.podName, namespace: pod.namespace, uid: pod.uid, attempt: 0 },
    hostname: pod.hostNetwork ? '' : pod.podName,
    log_directory: podLogDir(pod),
    labels: podLabels(pod),
    annotations: { ...pod.annotations, 'kubernetes.io/config.hash': pod.uid, 'kubernetes.io/config.source': 'file', 'kubernetes.io/config.seen': new Date().toISOString() },
    linux: {
      cgroup_parent: `${cgroupParent}/pod${pod.uid}`,
      security_context: { namespace_options: { network: pod.hostNetwork ? NODE_NS : POD_NS, pid: CONTAINER_NS, ipc: POD_NS } },
    },
  };
}

/** `crictl create` config of restart number `attempt` (kubelet's restartCount; its log is `<container>/<attempt>.log`). */
export function containerConfig(pod: StaticPod, attempt: number): Obj {
  const c = pod.container;
  return {
    metadata: { name: c.name, attempt },
    image: { image: c.image },
    command: c.command,
    args: c.args,
    envs: c.env,
    ...(c.workingDir ? { working_dir: c.workingDir } : {}),
    mounts: c.mounts,
    log_path: `${c.name}/${attempt}.log`,
    labels: { 'io.kubernetes.container.name': c.name, 'io.kubernetes.pod.name': pod.podName, 'io.kubernetes.pod.namespace': pod.namespace, 'io.kubernetes.pod.uid': pod.uid },
    annotations: { 'io.kubernetes.container.restartCount': String(attempt), 'io.kubernetes.container.terminationMessagePath': '/dev/termination-log', 'io.kubernetes.pod.terminationGracePeriod': '30' },
    linux: { resources: {}, security_context: { namespace_options: { network: pod.hostNetwork ? NODE_NS : POD_NS, pid: CONTAINER_NS, ipc: POD_NS } } },
  };
}

/**
 * An etcd image the lab can "pull": `registry.k8s.io/etcd:3.6.16-0` → the archive the lab built for etcd 3.6.16
 * (`images` maps releases to archives). Any other etcd release is kubelet's ErrImagePull; a non-etcd image is left
 * to the runtime (present or not).
 */
export function imageArchive(image: string, images: Record<string, string>): { archive?: string; error?: string } {
  const m = /etcd:v?(\d+\.\d+\.\d+)/.exec(image);
  if (!m) return {};
  const archive = images[m[1]];
  return archive ? { archive } : { error: `image ${image}: not available in the lab (ErrImagePull; the lab has etcd ${Object.keys(images).join(', ') || 'none'})` };
}
