// A tool of the member's own etcd image run on a kubeadm host that has none (etcd's tools live only in the image):
// the image is mounted read-only with containerd's `ctr -n k8s.io images mount` under /run, the tool runs on the
// host against host paths, and the mount is removed on every exit. Used when no etcd container runs there to
// `crictl exec` into (a crash-looping or stopped member), and by restores (the member is stopped by then).
import { cmd, type Command, type Part } from '../connection/command.js';

/**
 * `$1` the image (empty: the first `image:` of the live manifest `$2`, else of the held one `$3`), `$4` the tool's
 * path in the image, the rest its arguments.
 */
const SCRIPT = [
  'set -e; img=$1; live=$2; held=$3; bin=$4; shift 4',
  'pick() { sed -n "s/^[[:space:]]*\\(- \\)\\{0,1\\}image:[[:space:]]*[\\"\']\\{0,1\\}\\([^\\"\' ]*\\).*/\\2/p" "$1" 2>/dev/null | head -n1; }',
  '[ -n "$img" ] || img=$(pick "$live")',
  '[ -n "$img" ] || img=$(pick "$held")',
  '[ -n "$img" ] || { echo "no etcd container runs here, and no etcd manifest ($live, $held) names the image whose tools could be used" >&2; exit 1; }',
  'm=$(mktemp -d /run/ringmaster-image.XXXXXX)',
  'trap \'ctr -n k8s.io images unmount --rm "$m" >/dev/null 2>&1 || true; rmdir "$m" 2>/dev/null || true\' EXIT',
  'ctr -n k8s.io images mount "$img" "$m" >/dev/null',
  '[ -x "$m$bin" ] || { echo "image $img has no $bin" >&2; exit 1; }',
  'ETCDCTL_API=3 "$m$bin" "$@"',
].join('; ');

/** The script alone, for a caller that runs it as the fallback branch of its own shell. */
export const IMAGE_TOOL_SCRIPT = SCRIPT;

/** `sh -c <script> image-tool <image> <live> <held> <bin> <args…>` as one command. */
export function imageTool(image: string, live: string, held: string, bin: string, ...args: Part[]): Command {
  return cmd('sh', '-c', SCRIPT, 'image-tool', image, live, held, bin, ...args);
}
